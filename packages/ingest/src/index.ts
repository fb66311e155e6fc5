export const workspace = 'ingest';
