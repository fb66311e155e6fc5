import { ecsField, type FieldDefinition } from '@lastpass-elastic/package-model';
import { isRecord, type JsonObject } from '../json';

/** Fleet's default `ignore_above` for keyword-like fields without one. */
export const DEFAULT_IGNORE_ABOVE = 1024;

export interface GeneratedMappings {
  properties: JsonObject;
  dynamic_templates: JsonObject[];
  /** Fields that could not be placed (defined twice, or under a leaf). Empty for a sound package. */
  problems: string[];
}

/** Elasticsearch's JSON type detected for a dynamic value, from a field's `object_type`. */
function matchMappingType(objectType: string): string {
  switch (objectType) {
    case 'keyword':
    case 'text':
    case 'match_only_text':
    case 'wildcard':
      return 'string';
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
      return 'long';
    case 'float':
    case 'double':
    case 'half_float':
    case 'scaled_float':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    default:
      return '*';
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Mapping of one leaf field, the way Fleet turns a (built) fields.yml entry into a mapping. */
export function fieldMapping(field: FieldDefinition): JsonObject {
  const raw = field.raw;
  const ecs = field.external === 'ecs' ? ecsField(field.name) : undefined;
  const type = field.type === 'integer' ? 'long' : field.type === 'group' ? 'object' : field.type;
  const mapping: JsonObject = { type };
  const pick = (key: string): unknown => raw[key] ?? ecs?.[key];
  switch (type) {
    case 'keyword':
    case 'wildcard':
      mapping['ignore_above'] = pick('ignore_above') ?? DEFAULT_IGNORE_ABOVE;
      if (raw['normalizer'] !== undefined) mapping['normalizer'] = raw['normalizer'];
      break;
    case 'constant_keyword':
      if (field.value !== undefined) mapping['value'] = field.value;
      break;
    case 'scaled_float':
      mapping['scaling_factor'] = pick('scaling_factor') ?? 1000;
      break;
    case 'date':
      if (field.date_format !== undefined) mapping['format'] = field.date_format;
      if (field.name === '@timestamp') mapping['ignore_malformed'] = false;
      break;
    case 'alias':
      if (raw['path'] !== undefined) mapping['path'] = raw['path'];
      break;
    case 'object':
    case 'nested':
      if (raw['dynamic'] !== undefined) mapping['dynamic'] = raw['dynamic'];
      if (raw['enabled'] !== undefined) mapping['enabled'] = raw['enabled'];
      break;
    default:
      break;
  }
  for (const key of ['index', 'doc_values', 'copy_to', 'null_value'] as const) {
    const value = pick(key);
    if (value !== undefined) mapping[key] = value;
  }
  const multi = pick('multi_fields');
  if (Array.isArray(multi) && ['keyword', 'text', 'match_only_text', 'wildcard'].includes(type)) {
    const fields: JsonObject = {};
    for (const entry of multi) {
      if (!isRecord(entry)) continue;
      const name = str(entry['name']);
      const subType = str(entry['type']);
      if (name === undefined || subType === undefined) continue;
      const sub: JsonObject = { type: subType };
      if (subType === 'keyword') sub['ignore_above'] = entry['ignore_above'] ?? DEFAULT_IGNORE_ABOVE;
      if (entry['norms'] !== undefined) sub['norms'] = entry['norms'];
      fields[name] = sub;
    }
    if (Object.keys(fields).length > 0) mapping['fields'] = fields;
  }
  const meta: JsonObject = {};
  if (field.unit !== undefined) meta['unit'] = field.unit;
  if (field.metric_type !== undefined) meta['metric_type'] = field.metric_type;
  if (Object.keys(meta).length > 0) mapping['meta'] = meta;
  return mapping;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/**
 * Generates mappings from a data stream's fields the way Fleet does (elastic-package-format.md §7.3):
 * dotted names expanded into `properties`, no type ⇒ keyword (package-model already applies it),
 * `integer` ⇒ long, `group` ⇒ object, constant_keyword keeps `value`, `date_format` ⇒ `format`,
 * `@timestamp` gets `ignore_malformed: false`, keyword-like fields get `ignore_above` 1024 and their
 * multi_fields; a name with `*`, or `type: object` with `object_type`, becomes a dynamic template.
 * Pure: no I/O. Keys are sorted so the result is stable for golden files.
 */
export function generateMappings(fields: readonly FieldDefinition[]): GeneratedMappings {
  const properties: JsonObject = {};
  const dynamicTemplates: JsonObject[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) {
      problems.push(`field "${field.name}" is defined more than once`);
      continue;
    }
    seen.add(field.name);
    if (field.name.includes('*')) {
      const mapping = fieldMapping(field);
      dynamicTemplates.push({
        [field.name]: { path_match: field.name, match_mapping_type: matchMappingType(field.type), mapping },
      });
      continue;
    }
    const objectType = field.type === 'object' ? field.object_type : undefined;
    if (objectType !== undefined) {
      const mappedType = objectType === 'integer' ? 'long' : objectType;
      dynamicTemplates.push({
        [field.name]: {
          path_match: `${field.name}.*`,
          match_mapping_type: matchMappingType(objectType),
          mapping:
            mappedType === 'keyword'
              ? { type: 'keyword', ignore_above: DEFAULT_IGNORE_ABOVE }
              : { type: mappedType },
        },
      });
    }
    const parts = field.name.split('.');
    let node = properties;
    let placed = true;
    for (let i = 0; i < parts.length - 1; i += 1) {
      const part = parts[i] ?? '';
      const existing = node[part];
      if (isRecord(existing)) {
        if (
          typeof existing['type'] === 'string' &&
          existing['type'] !== 'object' &&
          existing['type'] !== 'nested'
        ) {
          problems.push(
            `field "${field.name}" is defined under "${parts.slice(0, i + 1).join('.')}", which is a ${existing['type']} field`,
          );
          placed = false;
          break;
        }
        if (!isRecord(existing['properties'])) existing['properties'] = {};
        node = existing['properties'] as JsonObject;
      } else {
        const created: JsonObject = {};
        node[part] = { properties: created };
        node = created;
      }
    }
    if (!placed) continue;
    const leaf = parts[parts.length - 1] ?? '';
    const mapping = fieldMapping(field);
    const existing = node[leaf];
    if (isRecord(existing)) {
      if (mapping['type'] !== 'object' && mapping['type'] !== 'nested') {
        problems.push(
          `field "${field.name}" is a ${String(mapping['type'])} field but other fields are defined under it`,
        );
        continue;
      }
      node[leaf] = { ...mapping, ...existing };
    } else {
      node[leaf] = mapping;
    }
  }
  return { properties: sortKeys(properties) as JsonObject, dynamic_templates: dynamicTemplates, problems };
}
