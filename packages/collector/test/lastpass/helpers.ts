import { MockAgent } from 'undici';
import { startSimulator, type RunningSimulator, type StartOptions } from '@lastpass-elastic/simulator';
import {
  createLastPassClient,
  LastPassError,
  type Clock,
  type LastPassClient,
  type LastPassClientOptions,
} from '../../src/lastpass';

/** A clock whose sleeps return at once and advance virtual time; every sleep is recorded. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    public t = Date.UTC(2024, 10, 15),
    private readonly jitter = 0.5,
  ) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
  random(): number {
    return this.jitter;
  }
}

export const HASH = 'test-secret-hash-5f2c9a7e1b';

export async function withSimulator<T>(
  options: StartOptions,
  run: (sim: RunningSimulator) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator({ provisioningHash: HASH, ...options });
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

/** A client for `sim` on a fake clock, without timeouts or rate limit unless overridden. */
export function clientFor(
  sim: RunningSimulator,
  overrides: Partial<LastPassClientOptions> = {},
): { client: LastPassClient; clock: FakeClock } {
  const clock = overrides.clock instanceof FakeClock ? overrides.clock : new FakeClock();
  const client = createLastPassClient({
    url: sim.url,
    accountNumber: sim.options.accountNumber,
    provisioningHash: HASH,
    apiUser: 'contract-tests',
    clock,
    timeoutMs: 0,
    minIntervalMs: 0,
    ...overrides,
  });
  return { client, clock };
}

/** The rejection of `promise` as a LastPassError (fails the test otherwise). */
export async function failure(promise: Promise<unknown>): Promise<LastPassError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LastPassError) return error;
    throw error;
  }
  throw new Error('expected a LastPassError, got success');
}

export const MOCK_ORIGIN = 'https://lastpass.test';

/** A client whose LastPass (an undici MockAgent, no server) answers every call with `status`/`body`. */
export function mocked(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'text/xml;charset=UTF-8' },
  maxAttempts = 1,
): { client: LastPassClient; agent: MockAgent } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(MOCK_ORIGIN)
    .intercept({ path: '/enterpriseapi.php', method: 'POST' })
    .reply(status, body, { headers })
    .persist();
  const client = createLastPassClient({
    url: `${MOCK_ORIGIN}/enterpriseapi.php`,
    accountNumber: '8771312',
    provisioningHash: HASH,
    apiUser: 'unit',
    dispatcher: agent,
    clock: new FakeClock(),
    timeoutMs: 0,
    minIntervalMs: 0,
    retry: { maxAttempts },
  });
  return { client, agent };
}
