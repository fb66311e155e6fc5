/** Which requests a fault applies to: a substring of the path (with query) or a regular expression, and a method. */
export interface FaultMatch {
  path?: string | RegExp;
  method?: string;
}

export type FaultSpec =
  /** The whole request answers this status with Elasticsearch's error body (429, 503, 401, 413, ...). */
  | ({ kind: 'status'; status: number; times?: number } & FaultMatch)
  /** In the next `times` bulk requests, the items at these 0-based positions fail with `status` (default 429). */
  | { kind: 'item-status'; status?: number; items: number[]; times?: number }
  /** The connection is destroyed without an answer (the client sees a reset / "other side closed"). */
  | ({ kind: 'reset'; times?: number } & FaultMatch)
  /** The answer is delayed by `ms` real milliseconds. */
  | ({ kind: 'delay'; ms: number; times?: number } & FaultMatch)
  /** The request is held unanswered until `faults.release()` (deterministic slow-response tests). */
  | ({ kind: 'hang'; times?: number } & FaultMatch);

interface Armed {
  spec: FaultSpec;
  remaining: number;
}

function matches(spec: FaultMatch, method: string, path: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
  if (spec.path === undefined) return true;
  return typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path);
}

/** The armed faults of one fake: one queue, consumed in the order armed by the requests they apply to. */
export class Faults {
  private armed: Armed[] = [];
  private held: (() => void)[] = [];

  constructor(private readonly outageHooks: { stop: () => Promise<void>; start: () => Promise<void> }) {}

  /** Arms a fault for the next matching request(s) (`times` defaults to 1). */
  next(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`fault times must be a positive integer, got ${times}`);
    if (spec.kind === 'status' && (spec.status < 400 || spec.status > 599))
      throw new RangeError(`fault status must be 400-599, got ${spec.status}`);
    this.armed.push({ spec, remaining: times });
  }

  /** Faults still armed (sum of remaining uses). */
  pending(): number {
    return this.armed.reduce((sum, a) => sum + a.remaining, 0);
  }

  clear(): void {
    this.armed = [];
    this.release();
  }

  /** Answers every request held by a `hang` fault. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const resume of held) resume();
  }

  /** Number of requests currently held by `hang`. */
  heldCount(): number {
    return this.held.length;
  }

  /** Closes the listener and every open connection: new connections are refused until `restore()`. */
  outage(): Promise<void> {
    return this.outageHooks.stop();
  }

  /** Listens again on the same port after `outage()`. */
  restore(): Promise<void> {
    return this.outageHooks.start();
  }

  /**
   * @internal The fault for this request, consumed: faults form ONE queue in the order armed, and only
   * its head is considered. A request the head does not apply to (another path or method, or a
   * non-bulk request while the head is `item-status`) passes untouched and leaves the head armed.
   */
  take(method: string, path: string, bulk: boolean): FaultSpec | undefined {
    const head = this.armed[0];
    if (head === undefined) return undefined;
    const applies = head.spec.kind === 'item-status' ? bulk : matches(head.spec, method, path);
    if (!applies) return undefined;
    this.consume(head);
    return head.spec;
  }

  /** @internal */
  hold(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  private consume(armed: Armed): void {
    armed.remaining -= 1;
    if (armed.remaining === 0) this.armed = this.armed.filter((a) => a !== armed);
  }
}
