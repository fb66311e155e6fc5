import type { ProcessorFactory } from '../engine';
import { convertProcessors } from './convert';
import { coreProcessors } from './core';
import { dateProcessors } from './date';
import { fingerprintProcessors } from './fingerprint';
import { grokProcessors } from './grok';
import { networkProcessors } from './network';
import { parserProcessors } from './parsers';
import { stringProcessors } from './strings';
import { webProcessors } from './web';

/** Every processor the local executor implements, by Elasticsearch type name. */
export const processorRegistry: ReadonlyMap<string, ProcessorFactory> = new Map(
  Object.entries({
    ...coreProcessors,
    ...stringProcessors,
    ...convertProcessors,
    ...parserProcessors,
    ...dateProcessors,
    ...fingerprintProcessors,
    ...networkProcessors,
    ...grokProcessors,
    ...webProcessors,
  }),
);
