import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (the LastPass provisioning hash, Elasticsearch credentials). Every way of turning it
 * into text — String(), JSON.stringify, util.inspect, template literals — yields `[redacted]`; only
 * `reveal()` gives the value, and only the code that sends it calls that.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
