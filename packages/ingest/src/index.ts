export * from './fake-elasticsearch';
