/** The posture and evidence report (`lastpass-elastic report posture`): readers, findings, JSON and HTML. */
export { ReportError, isReportError, reportErrorCatalog, type ReportErrorCode } from './errors';
export {
  FINDING_IDS,
  GAP_KINDS,
  POSTURE_SCHEMA,
  postureReportSchema,
  type AccountReport,
  type Finding,
  type FindingId,
  type PostureReport,
  type ReportParameters,
} from './schema';
export {
  changeKindOf,
  eventFromDocument,
  folderFromDocument,
  userFromDocument,
  type EventRecord,
  type FolderMemberRecord,
  type UserRecord,
} from './documents';
export { buildAccountReport, companyDomainsOf, gapsOf, STALE_SNAPSHOT_MS } from './findings';
export {
  countPerDay,
  DEFAULT_INDICES,
  MAX_PERIOD_DAYS,
  periodDays,
  resolvePeriod,
  type AccountData,
  type Period,
} from './model';
export { renderHtml } from './html';
export { writeAtomically } from './write';
export {
  assembleReport,
  runPostureReport,
  type PostureInput,
  type PostureOptions,
  type PostureResult,
} from './run';
// The readers load lazily through runPostureReport (the Elasticsearch client only for that source).
export type { ElasticsearchInput } from './readers/elasticsearch';
export type { NdjsonInput } from './readers/ndjson';
