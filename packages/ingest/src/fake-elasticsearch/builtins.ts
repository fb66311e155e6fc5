import type { Cluster } from './cluster';

const META = {
  description: 'stand-in for the Elasticsearch built-in of the same name (fake Elasticsearch)',
  managed: true,
};

/**
 * Stand-ins for the stack templates every Elasticsearch 8.x/9.x ships (`logs` index template and its
 * `logs@mappings`, `logs@settings`, `ecs@mappings` components), so templates composed like Fleet's
 * install. Their content is a small subset of the real ones (data_stream constants, @timestamp,
 * ignore_malformed as in `logs@settings`); they are not copies.
 */
export function installBuiltins(cluster: Cluster): void {
  cluster.putComponentTemplate(
    'logs@mappings',
    {
      template: {
        mappings: {
          date_detection: false,
          properties: {
            '@timestamp': { type: 'date' },
            data_stream: {
              properties: {
                type: { type: 'constant_keyword', value: 'logs' },
                dataset: { type: 'constant_keyword' },
                namespace: { type: 'constant_keyword' },
              },
            },
          },
        },
      },
      _meta: META,
    },
    false,
  );
  cluster.putComponentTemplate(
    'logs@settings',
    {
      template: { settings: { index: { lifecycle: { name: 'logs' }, mapping: { ignore_malformed: true } } } },
      _meta: META,
    },
    false,
  );
  cluster.putComponentTemplate(
    'ecs@mappings',
    { template: { mappings: { dynamic_templates: [] } }, _meta: META },
    false,
  );
  cluster.putIndexTemplate(
    'logs',
    {
      index_patterns: ['logs-*-*'],
      priority: 100,
      data_stream: {},
      composed_of: ['logs@mappings', 'logs@settings', 'logs@custom', 'ecs@mappings'],
      ignore_missing_component_templates: ['logs@custom'],
      _meta: META,
    },
    false,
  );
}
