import { loadPackagePipelines } from '@lastpass-elastic/ingest';
import {
  fleetPipelineName,
  fleetTransformId,
  fleetTransformVersion,
  indexTemplateName,
  transformIndexTemplateName,
  type DataStreamModel,
  type PackageModel,
  type TransformModel,
} from '@lastpass-elastic/package-model';
import { SetupError } from './errors';
import { isRecord, type JsonObject } from '../json';
import { generateMappings } from './mappings';
import { TRANSFORM_ID_LIMIT } from '../check/rules/transforms';

/** Who installed an asset (in `_meta.managed_by`); Fleet writes `fleet` there. */
export const MANAGED_BY = 'lastpass-elastic';

export interface NamedAsset {
  name: string;
  body: JsonObject;
}

/** Everything `setup --elasticsearch` installs for one data stream, in install order. */
export interface StreamAssets {
  stream: string;
  dataset: string;
  /** Sibling pipelines first, the entry pipeline (`index.default_pipeline`) last. */
  pipelines: NamedAsset[];
  entryPipeline: string;
  /** `index.final_pipeline` of the template: Fleet's final steps for clusters without Fleet. */
  finalPipeline: string;
  /** `logs-<dataset>@package`: settings + the mappings generated from the fields. */
  packageComponent: NamedAsset;
  /** Empty hooks for the user; created only when absent, never overwritten. */
  customComponents: NamedAsset[];
  indexTemplate: NamedAsset;
}

/** Everything `setup --elasticsearch` installs for one transform, as Fleet's transform install does. */
export interface TransformAssets {
  /** Folder name (`elasticsearch/transform/<name>`), Fleet's transform module id. */
  name: string;
  /** Fleet's transform id, `logs-<package>.<name>-default-<fleet_transform_version>`. */
  id: string;
  fleetTransformVersion: string;
  /** What every version's id of this transform starts with: `logs-<package>.<name>-default-`. */
  idPrefix: string;
  /** `<template>@package`: settings from manifest.yml, mappings from fields/. */
  packageComponent: NamedAsset;
  /** `logs-<package>.<name>-template`: priority 250, `index_patterns: [dest.index]`, no data stream. */
  indexTemplate: NamedAsset;
  /** The create-transform body (`PUT _transform/<id>?defer_validation=true`). */
  body: JsonObject;
  /** manifest.yml `start` (Fleet starts a transform unless it says `false`). */
  start: boolean;
  destIndex: string;
  /** `dest.aliases` names (the `move_on_creation` one is what readers query). */
  aliases: string[];
}

export interface SetupPlan {
  packageName: string;
  version: string;
  streams: StreamAssets[];
  transforms: TransformAssets[];
}

/** Fleet's priority for transform destination templates (above the stack's `logs` template at 100). */
export const TRANSFORM_TEMPLATE_PRIORITY = 250;

/** Fleet's `_meta` of transform assets (`getESAssetMetadata`: package name only), with our `managed_by`. */
function transformMeta(pkg: PackageModel): JsonObject {
  return { package: { name: pkg.manifest.name }, managed_by: MANAGED_BY, managed: true };
}

/** Fleet's `dest.aliases` normalisation: `{alias, move_on_creation}` with `move_on_creation` false unless set. */
function normalisedAliases(aliases: TransformModel['config']['dest']['aliases']): JsonObject[] | undefined {
  return aliases?.map((a) => ({ alias: a.alias, move_on_creation: a.move_on_creation === true }));
}

/**
 * What Fleet installs for a transform (Kibana's `epm/elasticsearch/transform/install.ts`, read, not
 * copied): the destination index template `logs-<pkg>.<name>-template` composed of
 * `<template>@package` (manifest `destination_index_template` settings and mappings merged over the
 * mappings generated from `fields/`, `index.mapping.total_fields.limit` 1000, `index.default_pipeline`
 * = `dest.pipeline` when set), `<template>@custom` (listed, ignore-missing, not created) and
 * `ecs@mappings`; the index template itself sets `index.mapping.ignore_malformed: true`, priority 250
 * and `index_patterns: [dest.index]`; then the transform under Fleet's id with `_meta` = the file's
 * `_meta` + package name + managed + `run_as_kibana_system`. Differences: `managed_by` is ours and
 * `ecs@mappings` is ignore-missing (like our data-stream templates); no `installed_by` (Fleet puts the
 * Kibana user there).
 */
function planTransform(pkg: PackageModel, t: TransformModel): TransformAssets {
  const templateName = transformIndexTemplateName(pkg.manifest.name, t);
  const generated = generateMappings(t.fields);
  if (generated.problems.length > 0)
    throw new SetupError('SETUP_INVALID_PACKAGE', `transform ${t.name}: ${generated.problems.join('; ')}`);
  const manifestTemplate = t.manifest?.destination_index_template ?? {};
  const settings = isRecord(manifestTemplate['settings']) ? manifestTemplate['settings'] : {};
  const mappings = isRecord(manifestTemplate['mappings']) ? manifestTemplate['mappings'] : {};
  const index = isRecord(settings['index']) ? settings['index'] : {};
  const mapping = isRecord(index['mapping']) ? index['mapping'] : {};
  const totalFields = isRecord(mapping['total_fields']) ? mapping['total_fields'] : {};
  const pipeline = t.config.dest.pipeline;
  const { properties: extraProperties, dynamic_templates: extraDynamic, ...otherMappings } = mappings;
  const dynamicTemplates = [
    ...generated.dynamic_templates,
    ...(Array.isArray(extraDynamic) ? (extraDynamic as JsonObject[]) : []),
  ];
  const meta = transformMeta(pkg);
  const packageComponent: NamedAsset = {
    name: `${templateName}@package`,
    body: {
      template: {
        settings: {
          ...settings,
          index: {
            ...index,
            ...(pipeline === undefined ? {} : { default_pipeline: pipeline }),
            mapping: { ...mapping, total_fields: { limit: totalFields['limit'] ?? 1000 } },
          },
        },
        mappings: {
          properties: { ...generated.properties, ...(isRecord(extraProperties) ? extraProperties : {}) },
          ...(dynamicTemplates.length > 0 ? { dynamic_templates: dynamicTemplates } : {}),
          ...otherMappings,
        },
      },
      _meta: meta,
    },
  };
  const custom = `${templateName}@custom`;
  const composedOf = [packageComponent.name, custom, 'ecs@mappings'];
  const indexTemplate: NamedAsset = {
    name: templateName,
    body: {
      template: { settings: { index: { mapping: { ignore_malformed: true } } } },
      priority: TRANSFORM_TEMPLATE_PRIORITY,
      index_patterns: [t.config.dest.index],
      _meta: meta,
      composed_of: composedOf,
      ignore_missing_component_templates: [custom, 'ecs@mappings'],
    },
  };
  const aliases = normalisedAliases(t.config.dest.aliases);
  const fileMeta = t.config._meta ?? {};
  const body: JsonObject = {
    ...t.config,
    dest: { ...t.config.dest, ...(aliases === undefined ? {} : { aliases }) },
    _meta: { ...fileMeta, ...meta, run_as_kibana_system: fileMeta['run_as_kibana_system'] !== false },
  };
  const id = fleetTransformId(pkg.manifest.name, t);
  if (id.length > TRANSFORM_ID_LIMIT)
    throw new SetupError(
      'SETUP_INVALID_PACKAGE',
      `transform ${t.name}: Fleet's id ${id} has ${id.length} characters; Elasticsearch refuses more than ${TRANSFORM_ID_LIMIT}`,
    );
  const version = fleetTransformVersion(t);
  return {
    name: t.name,
    id,
    fleetTransformVersion: version,
    idPrefix: id.slice(0, id.length - version.length),
    packageComponent,
    indexTemplate,
    body,
    start: t.manifest?.start !== false,
    destIndex: t.config.dest.index,
    aliases: (t.config.dest.aliases ?? []).map((a) => a.alias),
  };
}

/** Fleet's user hooks appended to every entry pipeline (all `ignore_missing_pipeline`). */
function customPipelineHooks(pkgName: string, ds: DataStreamModel): JsonObject[] {
  const names = [
    'global@custom',
    `${ds.type}@custom`,
    `${ds.type}-${pkgName}.integration@custom`,
    `${ds.type}-${ds.dataset}@custom`,
  ];
  return names.map((name, i) => ({
    pipeline: {
      tag: `custom_pipeline_hook_${i}`,
      name,
      ignore_missing_pipeline: true,
      description: `user hook ${name} (called when it exists)`,
    },
  }));
}

/** Base name of the final pipeline installed beside the package's own (`logs-<dataset>-<version>-fleet_final`). */
export const FINAL_PIPELINE_BASE = 'fleet_final';

/**
 * What Fleet's final pipeline (`.fleet_final_pipeline-1`) does to our documents, for clusters without
 * Fleet: `event.ingested` = ingest time truncated to seconds, `event.original` removed unless the
 * document is tagged `preserve_original_event` (ingest's `applyFleetFinalPipeline` is the reference).
 * When Fleet is installed, `.fleet_agent_id_verification-1` comes later in `composed_of` and its
 * `index.final_pipeline` (Fleet's own) wins.
 */
function finalPipelineBody(pkg: PackageModel): JsonObject {
  return {
    description: `Fleet's final-pipeline steps for ${pkg.manifest.name} on clusters without Fleet (installed by lastpass-elastic setup)`,
    processors: [
      { set: { tag: 'set_event_ingested', field: 'event.ingested', value: '{{{_ingest.timestamp}}}' } },
      {
        date: {
          tag: 'truncate_event_ingested',
          field: 'event.ingested',
          target_field: 'event.ingested',
          formats: ['ISO8601'],
          output_format: "yyyy-MM-dd'T'HH:mm:ss'Z'",
        },
      },
      {
        remove: {
          tag: 'remove_event_original',
          field: 'event.original',
          ignore_missing: true,
          if: "ctx.tags == null || !ctx.tags.contains('preserve_original_event')",
        },
      },
    ],
    on_failure: [
      { set: { tag: 'final_pipeline_failed', field: 'event.kind', value: 'pipeline_error' } },
      {
        append: {
          tag: 'final_pipeline_error_message',
          field: 'error.message',
          value:
            'final pipeline failed in processor {{{_ingest.on_failure_processor_type}}} with tag {{{_ingest.on_failure_processor_tag}}}: {{{_ingest.on_failure_message}}}',
        },
      },
    ],
    _meta: packageMeta(pkg),
  };
}

function packageMeta(pkg: PackageModel): JsonObject {
  return {
    package: { name: pkg.manifest.name, version: pkg.manifest.version },
    managed_by: MANAGED_BY,
    managed: true,
  };
}

function indexTemplateSettings(ds: DataStreamModel): { settings: JsonObject; mappings: JsonObject } {
  const indexTemplate = ds.manifest.elasticsearch?.['index_template'];
  return {
    settings: isRecord(indexTemplate) && isRecord(indexTemplate['settings']) ? indexTemplate['settings'] : {},
    mappings: isRecord(indexTemplate) && isRecord(indexTemplate['mappings']) ? indexTemplate['mappings'] : {},
  };
}

/**
 * What Fleet would install for each data stream, computed from the package alone (no I/O beyond the
 * pipelines `loadPackagePipelines` reads). Choices (documented in the setup README section):
 * - pipelines under Fleet's names with Fleet's `@custom` pipeline hooks appended to the entry pipeline;
 * - `@package` carries `index.default_pipeline`, `index.lifecycle.name: logs`, the total-fields limit
 *   and the generated mappings; manifest `elasticsearch.index_template.*` merged on top;
 * - the index template composes `logs@mappings`, `logs@settings`, `@package`, the `@custom` hooks,
 *   `ecs@mappings` and Fleet's `.fleet_globals-1` / `.fleet_agent_id_verification-1` like Fleet
 *   does; everything except `@package` is listed in `ignore_missing_component_templates`, so a
 *   cluster without Fleet (or without stack templates) still accepts it, and a cluster with Fleet
 *   applies Fleet's final pipeline (event.ingested).
 */
export function planAssets(pkg: PackageModel): SetupPlan {
  const pkgName = pkg.manifest.name;
  const pipelines = loadPackagePipelines(pkg);
  const streams = pkg.dataStreams.map((ds): StreamAssets => {
    const entryPipeline = fleetPipelineName(pkg, ds);
    const own = ds.pipelineFiles.map((p) => fleetPipelineName(pkg, ds, p.base));
    const assets: NamedAsset[] = [];
    for (const name of own) {
      const definition = pipelines[name];
      if (!isRecord(definition))
        throw new SetupError(
          'SETUP_INVALID_PACKAGE',
          `pipeline ${name} of data stream ${ds.name} is missing from the package`,
        );
      const body: JsonObject = { ...definition, _meta: packageMeta(pkg) };
      if (name === entryPipeline) {
        const processors = Array.isArray(definition['processors'])
          ? (definition['processors'] as unknown[])
          : [];
        body['processors'] = [...processors, ...customPipelineHooks(pkgName, ds)];
      }
      assets.push({ name, body });
    }
    const finalPipeline = fleetPipelineName(pkg, ds, FINAL_PIPELINE_BASE);
    if (own.includes(finalPipeline)) {
      throw new SetupError(
        'SETUP_INVALID_PACKAGE',
        `data stream ${ds.name} has its own pipeline named ${FINAL_PIPELINE_BASE}, which setup reserves`,
      );
    }
    assets.push({ name: finalPipeline, body: finalPipelineBody(pkg) });
    assets.sort((a, b) =>
      a.name === entryPipeline ? 1 : b.name === entryPipeline ? -1 : a.name.localeCompare(b.name),
    );
    const generated = generateMappings(ds.fields);
    if (generated.problems.length > 0)
      throw new SetupError(
        'SETUP_INVALID_PACKAGE',
        `data stream ${ds.name}: ${generated.problems.join('; ')}`,
      );
    const fieldCount = ds.fields.length;
    const extra = indexTemplateSettings(ds);
    const templateName = indexTemplateName(pkg, ds);
    const packageComponent: NamedAsset = {
      name: `${templateName}@package`,
      body: {
        template: {
          settings: {
            index: {
              lifecycle: { name: 'logs' },
              default_pipeline: entryPipeline,
              final_pipeline: finalPipeline,
              mapping: { total_fields: { limit: fieldCount > 500 ? 10000 : 1000 } },
            },
            ...extra.settings,
          },
          mappings: {
            ...extra.mappings,
            dynamic_templates: generated.dynamic_templates,
            properties: generated.properties,
          },
        },
        _meta: packageMeta(pkg),
      },
    };
    const customNames = [`${pkgName}@custom`, `${templateName}@custom`];
    const customComponents = customNames.map((name) => ({
      name,
      body: {
        template: { settings: {} },
        _meta: { package: { name: pkgName }, managed_by: MANAGED_BY, managed: false },
      },
    }));
    const composedOf = [
      'logs@mappings',
      'logs@settings',
      packageComponent.name,
      'logs@custom',
      ...customNames,
      'ecs@mappings',
      '.fleet_globals-1',
      '.fleet_agent_id_verification-1',
    ];
    const indexTemplate: NamedAsset = {
      name: templateName,
      body: {
        index_patterns: [`${templateName}-*`],
        priority: 200,
        data_stream: {},
        composed_of: composedOf,
        ignore_missing_component_templates: composedOf.filter((c) => c !== packageComponent.name),
        _meta: packageMeta(pkg),
      },
    };
    return {
      stream: ds.name,
      dataset: ds.dataset,
      pipelines: assets,
      entryPipeline,
      finalPipeline,
      packageComponent,
      customComponents,
      indexTemplate,
    };
  });
  const transforms = pkg.transforms.map((t) => planTransform(pkg, t));
  return { packageName: pkgName, version: pkg.manifest.version, streams, transforms };
}
