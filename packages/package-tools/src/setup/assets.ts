import { loadPackagePipelines } from '@lastpass-elastic/ingest';
import {
  fleetPipelineName,
  indexTemplateName,
  type DataStreamModel,
  type PackageModel,
} from '@lastpass-elastic/package-model';
import { SetupError } from './errors';
import { isRecord, type JsonObject } from '../json';
import { generateMappings } from './mappings';

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

export interface SetupPlan {
  packageName: string;
  version: string;
  streams: StreamAssets[];
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
  return { packageName: pkgName, version: pkg.manifest.version, streams };
}
