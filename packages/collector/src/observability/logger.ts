import pino from 'pino';

/** The subset of pino the collector uses; tests pass a recording logger. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Paths pino removes from every log line. The provisioning hash never reaches a logger (it lives in a
 * Secret that prints as `[redacted]`); these paths are a second fence for request bodies and headers.
 */
export const REDACT_PATHS = [
  'provhash',
  '*.provhash',
  'provisioningHash',
  '*.provisioningHash',
  'provisioning_hash',
  '*.provisioning_hash',
  'body',
  '*.body',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { name: 'lastpass-elastic' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stderr,
  );
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
