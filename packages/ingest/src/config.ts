import { IngestError, type IngestErrorCode } from './errors';
import { compileTemplate, mediaTypeEscape, type Template, type TemplateEscape } from './mustache';
import { isMap, javaClassName, type JsonMap } from './values';

/**
 * Reads one processor's configuration like Elasticsearch's ConfigurationUtils: typed getters with
 * its error texts, and `finish()` rejecting options nobody read.
 */
export class ProcessorConfig {
  private readonly used = new Set<string>();
  constructor(
    readonly type: string,
    readonly tag: string | undefined,
    private readonly raw: JsonMap,
    readonly pipeline: string | undefined,
  ) {}

  error(
    property: string | undefined,
    message: string,
    code: IngestErrorCode = 'INGEST_INVALID_CONFIG',
  ): IngestError {
    return new IngestError(code, message, {
      ...(this.pipeline !== undefined ? { pipeline: this.pipeline } : {}),
      processorType: this.type,
      ...(this.tag !== undefined ? { processorTag: this.tag } : {}),
      ...(property !== undefined ? { propertyName: property } : {}),
      esType: 'parse_exception',
    });
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  /** Reads an option without type checks and marks it used. */
  take(name: string): unknown {
    this.used.add(name);
    return this.raw[name];
  }

  private missing(name: string): IngestError {
    return this.error(name, `[${name}] required property is missing`);
  }

  string(name: string, fallback?: string): string;
  string(name: string, fallback: null): string | undefined;
  string(name: string, fallback?: string | null): string | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) {
      if (fallback === undefined) throw this.missing(name);
      return fallback ?? undefined;
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.error(name, `[${name}] property isn't a string, but of type [${javaClassName(v)}]`);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.take(name);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw this.error(name, `[${name}] property isn't a boolean, but of type [${javaClassName(v)}]`);
  }

  int(name: string, fallback: number): number {
    const v = this.take(name);
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw this.error(name, `Failed to parse content of [${name}] property to int`);
    }
    return n;
  }

  /** A string or a list of strings (Elasticsearch readOptionalStringOrArrayProperty). */
  stringList(name: string, required = true): string[] | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) {
      if (required) throw this.missing(name);
      return undefined;
    }
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    throw this.error(name, `[${name}] property isn't a list or string, but of type [${javaClassName(v)}]`);
  }

  list(name: string, required = true): unknown[] | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) {
      if (required) throw this.missing(name);
      return undefined;
    }
    if (Array.isArray(v)) return v as unknown[];
    throw this.error(name, `[${name}] property isn't a list, but of type [${javaClassName(v)}]`);
  }

  map(name: string, required = true): JsonMap | undefined {
    const v = this.take(name);
    if (v === undefined || v === null) {
      if (required) throw this.missing(name);
      return undefined;
    }
    if (isMap(v)) return v;
    throw this.error(name, `[${name}] property isn't a map, but of type [${javaClassName(v)}]`);
  }

  /** Any value (maps/lists/scalars), e.g. `set.value`. */
  value(name: string, required = true): unknown {
    const v = this.take(name);
    if (v === undefined && required) throw this.missing(name);
    return v;
  }

  /** A required templated option. */
  template(name: string, escape: TemplateEscape = 'json'): Template {
    return this.compile(this.string(name), name, escape);
  }

  optionalTemplate(name: string, escape: TemplateEscape = 'json'): Template | undefined {
    const s = this.string(name, null);
    return s === undefined ? undefined : this.compile(s, name, escape);
  }

  compile(source: string, property: string, escape: TemplateEscape = 'json'): Template {
    try {
      return compileTemplate(source, escape);
    } catch (e) {
      throw this.error(property, e instanceof Error ? e.message : String(e));
    }
  }

  mediaType(): TemplateEscape {
    const mt = this.string('media_type', 'application/json');
    const escape = mediaTypeEscape(mt);
    if (escape === undefined)
      throw this.error('media_type', `property does not contain a supported media type [${mt}]`);
    return escape;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.error(
        name,
        `[${name}] ${name} value [${v}] not supported, valid values are [${allowed.join(', ')}]`,
      );
    }
    return v as T;
  }

  /** Rejects options that were not read. */
  finish(): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.used.has(k));
    if (unknown.length > 0) {
      throw this.error(
        undefined,
        `processor [${this.type}] doesn't support one or more provided configuration parameters [${unknown.join(', ')}]`,
      );
    }
  }
}
