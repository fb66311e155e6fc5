// In-memory Elasticsearch HTTP endpoint for tests (owned by the setup work, issue 7). Placeholder.
export const fakeElasticsearchPlaceholder = true;
