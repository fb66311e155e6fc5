import { randomUUID } from 'node:crypto';
import { IngestError } from '../errors';
import { PipelineStore } from '../executor';
import { patternsOverlap, wildcardMatch } from './glob';
import {
  flattenSettings,
  isObject,
  mergeMappings,
  nestSettings,
  type FlatSettings,
  type JsonObject,
} from './mapping';
import { esError, type EsErrorBody } from './responses';

/** What the fake needs of the ingest executor: a mutable store of compiled pipelines (`PipelineStore`). */
export type PipelineHost = Pick<
  PipelineStore,
  'put' | 'delete' | 'has' | 'process' | 'simulate' | 'compile' | 'simulatePipeline'
>;

export type PipelineHostFactory = (now: () => Date) => PipelineHost;

export const defaultPipelineHost: PipelineHostFactory = (now) => new PipelineStore({ now });

export interface StoredDoc {
  source: JsonObject;
  version: number;
  seqNo: number;
}

export interface IndexState {
  name: string;
  uuid: string;
  settings: FlatSettings;
  mappings: JsonObject;
  docs: Map<string, StoredDoc>;
  seqNo: number;
  dataStream: string | undefined;
}

/** A transform as the fake keeps it: its config and whether it was started (it never runs). */
export interface TransformState {
  id: string;
  config: JsonObject;
  state: 'stopped' | 'started';
  createTime: number;
}

export interface DataStreamState {
  name: string;
  template: string;
  generation: number;
  indices: IndexState[];
  created: Date;
}

/** The stored pipeline definitions, kept in step with the compiled store (also when a test sets one directly). */
export class PipelineMap extends Map<string, unknown> {
  host: PipelineHost | undefined;
  override set(key: string, value: unknown): this {
    this.host?.put(key, value);
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.host?.delete(key);
    return super.delete(key);
  }
  override clear(): void {
    for (const key of this.keys()) this.host?.delete(key);
    super.clear();
  }
}

export class FakeError extends Error {
  constructor(readonly body: EsErrorBody) {
    super(body.error.reason);
  }
}

const INVALID_INDEX_CHARS = /[\\/*?"<>| ,#:A-Z]/;

function patternsOf(template: JsonObject): string[] {
  const patterns = template['index_patterns'];
  if (typeof patterns === 'string') return [patterns];
  return Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === 'string') : [];
}

function priorityOf(template: JsonObject): number {
  return typeof template['priority'] === 'number' ? template['priority'] : 0;
}

function normalizeTemplateBody(body: JsonObject): JsonObject {
  const template = body['template'];
  if (!isObject(template)) return body;
  const out: JsonObject = { ...body, template: { ...template } };
  const settings = template['settings'];
  if (isObject(settings))
    (out['template'] as JsonObject)['settings'] = nestSettings(flattenSettings(settings));
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The cluster state of the fake: pipelines, templates, data streams, indices, documents. */
export class Cluster {
  readonly pipelines = new PipelineMap();
  readonly componentTemplates = new Map<string, unknown>();
  readonly indexTemplates = new Map<string, unknown>();
  readonly dataStreams = new Map<string, DataStreamState>();
  readonly indices = new Map<string, IndexState>();
  /** Alias name → the indices it points at (index aliases only; data stream aliases are not modelled). */
  readonly aliases = new Map<string, Set<string>>();
  readonly transforms = new Map<string, TransformState>();
  readonly executor: PipelineHost;

  constructor(
    factory: PipelineHostFactory,
    private readonly now: () => Date,
    readonly retainSources: boolean,
  ) {
    this.executor = factory(now);
    this.pipelines.host = this.executor;
  }

  putPipeline(name: string, body: unknown): void {
    if (!isObject(body) || !Array.isArray(body['processors'])) {
      throw new FakeError(
        esError(400, 'parse_exception', '[processors] required property is missing', {
          property_name: 'processors',
        }),
      );
    }
    try {
      this.pipelines.set(name, body);
    } catch (error) {
      const type =
        error instanceof IngestError ? (error.details.esType ?? 'parse_exception') : 'parse_exception';
      throw new FakeError(esError(400, type, error instanceof Error ? error.message : String(error)));
    }
  }

  putComponentTemplate(name: string, body: unknown, create: boolean): void {
    if (!isObject(body) || !isObject(body['template'])) {
      throw new FakeError(
        esError(
          400,
          'x_content_parse_exception',
          '[1:2] [component_template] failed to parse field [template]',
        ),
      );
    }
    if (create && this.componentTemplates.has(name)) {
      throw new FakeError(
        esError(400, 'illegal_argument_exception', `component template [${name}] already exists`),
      );
    }
    this.componentTemplates.set(name, normalizeTemplateBody(body));
  }

  putIndexTemplate(name: string, body: unknown, create: boolean): void {
    if (!isObject(body) || patternsOf(body).length === 0) {
      throw new FakeError(
        esError(
          400,
          'action_request_validation_exception',
          'Validation Failed: 1: index patterns are missing;',
        ),
      );
    }
    if (create && this.indexTemplates.has(name)) {
      throw new FakeError(
        esError(400, 'illegal_argument_exception', `index template [${name}] already exists`),
      );
    }
    const ignored = Array.isArray(body['ignore_missing_component_templates'])
      ? (body['ignore_missing_component_templates'] as unknown[])
      : [];
    const composedOf = Array.isArray(body['composed_of']) ? (body['composed_of'] as unknown[]) : [];
    const missing = composedOf.filter(
      (c): c is string => typeof c === 'string' && !this.componentTemplates.has(c) && !ignored.includes(c),
    );
    if (missing.length > 0) {
      throw new FakeError(
        esError(
          400,
          'invalid_index_template_exception',
          `index_template [${name}] invalid, cause [index template [${name}] specifies component templates [${missing.join(', ')}] that do not exist]`,
        ),
      );
    }
    const patterns = patternsOf(body);
    for (const [other, raw] of this.indexTemplates) {
      if (other === name || !isObject(raw) || priorityOf(raw) !== priorityOf(body)) continue;
      const theirs = patternsOf(raw);
      if (patterns.some((p) => theirs.some((q) => patternsOverlap(p, q)))) {
        throw new FakeError(
          esError(
            400,
            'illegal_argument_exception',
            `index template [${name}] has index patterns [${patterns.join(', ')}] matching patterns from existing templates [${other}] with patterns (${other} => [${theirs.join(', ')}]) that have the same priority [${priorityOf(body)}], multiple index templates may not match during index creation, please use a different priority`,
          ),
        );
      }
    }
    const stored = normalizeTemplateBody({ ...body, index_patterns: patterns });
    if (isObject(body['data_stream']))
      stored['data_stream'] = { hidden: false, allow_custom_routing: false, ...body['data_stream'] };
    this.indexTemplates.set(name, stored);
  }

  /** The highest-priority index template matching a new index name (Elasticsearch's V2 template resolution). */
  matchTemplate(indexName: string): { name: string; body: JsonObject } | undefined {
    let best: { name: string; body: JsonObject } | undefined;
    for (const [name, raw] of this.indexTemplates) {
      if (!isObject(raw) || !patternsOf(raw).some((p) => wildcardMatch(p, indexName))) continue;
      if (best === undefined || priorityOf(raw) > priorityOf(best.body)) best = { name, body: raw };
    }
    return best;
  }

  /** Settings and mappings an index created from this template gets (components in order, then the template). */
  composeTemplate(body: JsonObject): { settings: FlatSettings; mappings: JsonObject } {
    const settings: FlatSettings = {};
    let mappings: JsonObject = {};
    const apply = (template: unknown): void => {
      if (!isObject(template)) return;
      if (isObject(template['settings'])) flattenSettings(template['settings'], settings);
      if (isObject(template['mappings'])) mappings = mergeMappings(mappings, template['mappings']);
    };
    const composedOf = Array.isArray(body['composed_of']) ? (body['composed_of'] as unknown[]) : [];
    for (const component of composedOf) {
      if (typeof component !== 'string') continue;
      const stored = this.componentTemplates.get(component);
      if (isObject(stored)) apply(stored['template']);
    }
    apply(body['template']);
    if (isObject(body['data_stream'])) {
      mappings = mergeMappings({ properties: { '@timestamp': { type: 'date' } } }, mappings);
    }
    return { settings, mappings };
  }

  private newIndex(
    name: string,
    settings: FlatSettings,
    mappings: JsonObject,
    dataStream: string | undefined,
  ): IndexState {
    const index: IndexState = {
      name,
      uuid: randomUUID(),
      settings,
      mappings,
      docs: new Map(),
      seqNo: 0,
      dataStream,
    };
    this.indices.set(name, index);
    return index;
  }

  private backingName(dataStream: string, generation: number): string {
    const d = this.now();
    return `.ds-${dataStream}-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1, 2)}.${pad(d.getUTCDate(), 2)}-${pad(generation, 6)}`;
  }

  createDataStream(name: string): DataStreamState {
    const template = this.matchTemplate(name);
    if (template === undefined || !isObject(template.body['data_stream'])) {
      throw new FakeError(
        esError(
          400,
          'illegal_argument_exception',
          `no matching index template found for data stream [${name}]`,
        ),
      );
    }
    const { settings, mappings } = this.composeTemplate(template.body);
    const ds: DataStreamState = {
      name,
      template: template.name,
      generation: 1,
      indices: [],
      created: this.now(),
    };
    ds.indices.push(this.newIndex(this.backingName(name, 1), settings, mappings, name));
    this.dataStreams.set(name, ds);
    return ds;
  }

  rollover(name: string): { old: string; new: string } {
    const ds = this.dataStreams.get(name);
    if (ds === undefined)
      throw new FakeError(
        esError(400, 'illegal_argument_exception', `rollover target [${name}] does not exist`),
      );
    const template = this.indexTemplates.get(ds.template);
    const { settings, mappings } = isObject(template)
      ? this.composeTemplate(template)
      : { settings: {}, mappings: {} };
    const old = ds.indices[ds.indices.length - 1]?.name ?? '';
    ds.generation += 1;
    const created = this.newIndex(this.backingName(name, ds.generation), settings, mappings, name);
    ds.indices.push(created);
    return { old, new: created.name };
  }

  /**
   * Creates a plain index from the highest-priority matching template (create index API semantics):
   * a template that creates data streams refuses it, as Elasticsearch does.
   */
  createIndex(name: string, extra: FlatSettings = {}): IndexState {
    if (this.indices.has(name) || this.dataStreams.has(name) || this.aliases.has(name))
      throw new FakeError(
        esError(400, 'resource_already_exists_exception', `index [${name}] already exists`, { index: name }),
      );
    const template = this.matchTemplate(name);
    if (template !== undefined && isObject(template.body['data_stream']))
      throw new FakeError(
        esError(
          400,
          'illegal_argument_exception',
          `cannot create index with name [${name}], because it matches with template [${template.name}] that creates data streams only, use create data stream api instead`,
        ),
      );
    const { settings, mappings } =
      template === undefined ? { settings: {}, mappings: {} } : this.composeTemplate(template.body);
    return this.newIndex(name, { ...extra, ...settings }, mappings, undefined);
  }

  /** Points `alias` at `index`; with `moveOnCreation` the alias is first removed from every other index. */
  addAlias(alias: string, index: string, moveOnCreation = false): void {
    if (this.indices.has(alias) || this.dataStreams.has(alias))
      throw new FakeError(
        esError(
          400,
          'invalid_alias_name_exception',
          `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`,
        ),
      );
    const targets = moveOnCreation ? new Set<string>() : (this.aliases.get(alias) ?? new Set<string>());
    targets.add(index);
    this.aliases.set(alias, targets);
  }

  /** Aliases pointing at an index. */
  aliasesOf(index: string): string[] {
    return [...this.aliases].filter(([, targets]) => targets.has(index)).map(([alias]) => alias);
  }

  deleteIndex(name: string): void {
    if (!this.indices.delete(name))
      throw new FakeError(
        esError(404, 'index_not_found_exception', `no such index [${name}]`, { index: name }),
      );
    for (const [alias, targets] of this.aliases) {
      targets.delete(name);
      if (targets.size === 0) this.aliases.delete(alias);
    }
  }

  /** The index a write to `name` goes to, creating a data stream or index as Elasticsearch's auto-create does. */
  writeTarget(name: string): { index: IndexState; dataStream: DataStreamState | undefined } {
    const ds = this.dataStreams.get(name);
    if (ds !== undefined) {
      const index = ds.indices[ds.indices.length - 1];
      if (index !== undefined) return { index, dataStream: ds };
    }
    const existing = this.indices.get(name);
    if (existing !== undefined) return { index: existing, dataStream: undefined };
    const aliased = this.aliases.get(name);
    if (aliased !== undefined) {
      const only = aliased.size === 1 ? this.indices.get([...aliased][0] ?? '') : undefined;
      if (only === undefined)
        throw new FakeError(
          esError(
            400,
            'illegal_argument_exception',
            `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
          ),
        );
      return { index: only, dataStream: undefined };
    }
    if (
      INVALID_INDEX_CHARS.test(name) ||
      /^[_\-+]/.test(name) ||
      name === '' ||
      name === '.' ||
      name === '..'
    ) {
      throw new FakeError(
        esError(
          400,
          'invalid_index_name_exception',
          `Invalid index name [${name}], must be lowercase and must not contain the characters [\\, /, *, ?, ", <, >, |, ' ', ',', #, :]`,
          { index: name },
        ),
      );
    }
    const template = this.matchTemplate(name);
    if (template !== undefined && isObject(template.body['data_stream'])) {
      const created = this.createDataStream(name);
      const index = created.indices[0];
      if (index !== undefined) return { index, dataStream: created };
    }
    const { settings, mappings } =
      template === undefined ? { settings: {}, mappings: {} } : this.composeTemplate(template.body);
    return { index: this.newIndex(name, settings, mappings, undefined), dataStream: undefined };
  }

  /** Indices a read/admin request targets: comma list of names, data streams and wildcard patterns. */
  resolve(expression: string): IndexState[] {
    const out = new Map<string, IndexState>();
    for (const part of expression.split(',').filter((p) => p !== '')) {
      const pattern = part === '_all' ? '*' : part;
      if (pattern.includes('*')) {
        for (const ds of this.dataStreams.values())
          if (wildcardMatch(pattern, ds.name)) for (const i of ds.indices) out.set(i.name, i);
        for (const index of this.indices.values()) {
          if (
            (index.dataStream === undefined || pattern.startsWith('.')) &&
            wildcardMatch(pattern, index.name)
          )
            out.set(index.name, index);
        }
        for (const [alias, targets] of this.aliases)
          if (wildcardMatch(pattern, alias)) for (const i of this.aliasTargets(targets)) out.set(i.name, i);
        continue;
      }
      const ds = this.dataStreams.get(pattern);
      const index = this.indices.get(pattern);
      const aliased = this.aliases.get(pattern);
      if (ds !== undefined) for (const i of ds.indices) out.set(i.name, i);
      else if (index !== undefined) out.set(index.name, index);
      else if (aliased !== undefined) for (const i of this.aliasTargets(aliased)) out.set(i.name, i);
      else
        throw new FakeError(
          esError(404, 'index_not_found_exception', `no such index [${pattern}]`, {
            'resource.type': 'index_or_alias',
            'resource.id': pattern,
            index_uuid: '_na_',
            index: pattern,
          }),
        );
    }
    return [...out.values()];
  }

  private aliasTargets(targets: Set<string>): IndexState[] {
    return [...targets].map((n) => this.indices.get(n)).filter((i): i is IndexState => i !== undefined);
  }

  deleteDataStream(name: string): void {
    const ds = this.dataStreams.get(name);
    if (ds === undefined)
      throw new FakeError(esError(404, 'index_not_found_exception', `no such index [${name}]`));
    for (const index of ds.indices) this.indices.delete(index.name);
    this.dataStreams.delete(name);
  }

  /** Documents of a data stream or index by `_id` (all backing indices; a later generation wins on equal ids). */
  documents(name: string): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>();
    const indices =
      this.dataStreams.get(name)?.indices ??
      [this.indices.get(name)].filter((i): i is IndexState => i !== undefined);
    for (const index of indices) for (const [id, doc] of index.docs) out.set(id, doc.source);
    return out;
  }
}
