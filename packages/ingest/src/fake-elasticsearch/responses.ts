/**
 * Elasticsearch-shaped error bodies. The fake answers every failure in the shape the real REST layer
 * uses (`{error: {root_cause, type, reason, ...}, status}`) so clients parse them the same way.
 */
export interface EsErrorDetail {
  type: string;
  reason: string;
  [key: string]: unknown;
}

export interface EsErrorBody {
  error: EsErrorDetail & { root_cause: EsErrorDetail[] };
  status: number;
}

export function esError(
  status: number,
  type: string,
  reason: string,
  extra: Record<string, unknown> = {},
): EsErrorBody {
  const detail: EsErrorDetail = { type, reason, ...extra };
  const { caused_by: _cause, ...rootExtra } = extra;
  return { error: { root_cause: [{ type, reason, ...rootExtra }], ...detail }, status };
}

/** The HTTP status Elasticsearch gives a document-level exception type (bulk item `status`). */
export function statusForType(type: string): number {
  switch (type) {
    case 'version_conflict_engine_exception':
      return 409;
    case 'es_rejected_execution_exception':
    case 'circuit_breaking_exception':
      return 429;
    case 'index_not_found_exception':
    case 'resource_not_found_exception':
      return 404;
    case 'exception':
    case 'script_exception_internal':
      return 500;
    default:
      return 400;
  }
}

/** A whole-request error for an injected status (fault injection), typed the way Elasticsearch types it. */
export function faultError(status: number, path: string): EsErrorBody {
  switch (status) {
    case 401:
      return esError(
        401,
        'security_exception',
        `unable to authenticate with provided credentials and anonymous access is not allowed for this request`,
      );
    case 403:
      return esError(
        403,
        'security_exception',
        `action [${path}] is unauthorized for the authenticated user`,
      );
    case 413:
      return esError(413, 'content_too_long_exception', 'request content is too large');
    case 429:
      return esError(
        429,
        'es_rejected_execution_exception',
        'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]',
      );
    case 503:
      return esError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];');
    default:
      return esError(status, 'exception', `injected failure with status ${status}`);
  }
}

/** An error detail for one bulk item rejected by fault injection. */
export function itemFaultError(status: number): EsErrorDetail {
  if (status === 429) {
    return {
      type: 'es_rejected_execution_exception',
      reason:
        'rejected execution of primary operation [shard_detail=[fake][0][P], shard_max_coordinating_and_primary_bytes=0]',
    };
  }
  if (status === 409)
    return { type: 'version_conflict_engine_exception', reason: 'injected version conflict' };
  if (status >= 500)
    return { type: 'unavailable_shards_exception', reason: '[fake][0] primary shard is not active' };
  return { type: 'document_parsing_exception', reason: '[1:1] injected document parsing failure' };
}
