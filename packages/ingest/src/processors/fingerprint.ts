import { createHash, hash } from 'node:crypto';
import { fieldPath } from '../document';
import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import { JavaDateTime, isMap, isNumber, numberType, numericValue } from '../values';

const METHODS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
};

const ZERO = Buffer.from([0]);
const TRUE = Buffer.from([1]);
const FALSE = Buffer.from([2]);

/** Where fingerprint bytes go (a hash, or a list for tests). */
export interface ByteSink {
  update(data: Buffer | string, encoding?: 'utf8'): unknown;
}

/** Feeds a value with Elasticsearch's FingerprintProcessor byte encoding (reference §10). */
export function fingerprintBytes(value: unknown, out: ByteSink): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) fingerprintBytes(v, out);
    return;
  }
  if (isMap(value)) {
    for (const k of Object.keys(value).sort()) {
      out.update(ZERO);
      out.update(k, 'utf8');
      fingerprintBytes(value[k], out);
    }
    return;
  }
  out.update(ZERO);
  if (typeof value === 'string') out.update(value, 'utf8');
  else if (typeof value === 'boolean') out.update(value ? TRUE : FALSE);
  else if (isNumber(value)) {
    const type = numberType(value);
    const b = Buffer.alloc(type === 'Integer' || type === 'Float' ? 4 : 8);
    if (type === 'Integer') b.writeInt32LE(numericValue(value));
    else if (type === 'Long')
      b.writeBigInt64LE(BigInt(typeof value === 'bigint' ? value : Math.trunc(numericValue(value))));
    else if (type === 'Float') b.writeFloatLE(numericValue(value));
    else if (type === 'Double') b.writeDoubleLE(numericValue(value));
    else
      throw illegalArgument(
        `value [${String(numericValue(value))}] of type [java.math.BigInteger] is not supported`,
      );
    out.update(b);
  } else if (value instanceof JavaDateTime) out.update(value.iso, 'utf8');
}

/**
 * The byte stream as a JS string when every scalar is a String (the common case): NUL + UTF-8 text
 * encode exactly like Elasticsearch's bytes, so a one-shot hash of the string is the same digest.
 */
function stringStream(value: unknown, out: string[]): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') {
    out.push('\u0000', value);
    return true;
  }
  if (Array.isArray(value)) return value.every((v) => stringStream(v, out));
  if (isMap(value)) {
    for (const k of Object.keys(value).sort()) {
      out.push('\u0000', k);
      if (!stringStream(value[k], out)) return false;
    }
    return true;
  }
  return false;
}

const fingerprint: ProcessorFactory = (cfg) => {
  const fields = [...(cfg.stringList('fields') ?? [])].sort();
  if (fields.length === 0) throw cfg.error('fields', '[fields] must specify at least one field');
  const paths = fields.map((f) => fieldPath(f));
  const target = fieldPath(cfg.string('target_field', 'fingerprint'));
  const salt = cfg.string('salt', '');
  const methodName = cfg.string('method', 'SHA-1');
  const method = METHODS[methodName];
  if (method === undefined) {
    throw cfg.error(
      'method',
      `[method] [${methodName}] must be one of the supported hash methods [MD5, SHA-1, SHA-256, SHA-512] (MurmurHash3 is not supported locally)`,
    );
  }
  const ignoreMissing = cfg.bool('ignore_missing', false);
  return {
    execute(doc) {
      const values: unknown[] = [];
      for (const p of paths) {
        const v = doc.getOrUndefined(p);
        if (v === undefined || v === null) {
          if (ignoreMissing) continue;
          throw illegalArgument(`missing field [${p.path}] when calculating fingerprint`);
        }
        values.push(v);
      }
      if (values.length === 0) return;
      const text: string[] = [salt];
      if (values.every((v) => stringStream(v, text))) {
        doc.set(target, hash(method, text.join(''), 'base64'));
        return;
      }
      const digest = createHash(method);
      if (salt !== '') digest.update(salt, 'utf8');
      for (const v of values) fingerprintBytes(v, digest);
      doc.set(target, digest.digest('base64'));
    },
  };
};

export const fingerprintProcessors: Record<string, ProcessorFactory> = { fingerprint };
