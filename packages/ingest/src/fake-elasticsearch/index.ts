// In-memory Elasticsearch HTTP endpoint for tests (owner: setup work, issue 7). A local stand-in:
// it answers the subset of the REST API our tools use, shaped like Elasticsearch; it proves nothing
// about a real cluster.
export {
  startFakeElasticsearch,
  type FakeElasticsearch,
  type FakeElasticsearchOptions,
  type RecordedRequest,
} from './server';
export type { FaultSpec, FaultMatch, Faults } from './faults';
export type { Cluster, DataStreamState, IndexState, PipelineHost, PipelineHostFactory } from './cluster';
