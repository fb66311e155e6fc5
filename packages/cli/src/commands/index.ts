import type { Command } from '../command';
import { build } from './build';
import { cel } from './cel';
import { check } from './check';
import { collect } from './collect';
import { conformance } from './conformance';
import { demo } from './demo';
import { docs } from './docs';
import { kibana } from './kibana';
import { pipeline } from './pipeline';
import { report } from './report';
import { setup } from './setup';
import { simulator } from './simulator';
import { status } from './status';

/** The subcommands of contracts §2 (plus `conformance`), in help order. Each lives in its own file. */
export const commands: readonly Command[] = [
  check,
  build,
  docs,
  kibana,
  setup,
  pipeline,
  conformance,
  simulator,
  collect,
  demo,
  status,
  report,
  cel,
];
