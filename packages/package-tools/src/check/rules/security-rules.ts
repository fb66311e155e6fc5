import { isRecord } from '../../json';
import { lookupField } from '../../kibana/fields';
import { MITRE_TACTICS, MITRE_TECHNIQUES, ruleFields, SEVERITY_RISK } from '../../kibana/rules';
import { parseKql } from '../../rules/kql';
import type { RuleContext } from '../context';
import { indexScope, type KibanaObject } from './kibana-fields';
import { AGGREGATABLE_TYPES } from './transforms';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DURATION = /^\d+[smhd]$/;
const DATE_MATH = /^now-\d+[smhd]$/;
/** Rule types whose query and parameters this check (and our replay engine) understands. */
const TYPES = new Set(['query', 'threshold', 'new_terms']);

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** MITRE ATT&CK entries: framework, known tactic, techniques with sub-techniques under their parent. */
function threatProblems(threat: unknown): string[] {
  if (!Array.isArray(threat) || threat.length === 0) return ['threat must map the rule to MITRE ATT&CK'];
  const problems: string[] = [];
  threat.forEach((t, i) => {
    if (!isRecord(t)) {
      problems.push(`threat[${i}] is not an object`);
      return;
    }
    if (t['framework'] !== 'MITRE ATT&CK') problems.push(`threat[${i}].framework must be "MITRE ATT&CK"`);
    const tactic = isRecord(t['tactic']) ? t['tactic'] : {};
    const tid = String(tactic['id']);
    if (MITRE_TACTICS[tid] === undefined || tactic['name'] !== MITRE_TACTICS[tid])
      problems.push(
        `threat[${i}].tactic ${tid} ${String(tactic['name'])} is not a known ATT&CK tactic id and name`,
      );
    const techniques = Array.isArray(t['technique']) ? t['technique'].filter(isRecord) : [];
    if (techniques.length === 0) problems.push(`threat[${i}] names no technique`);
    for (const tech of techniques) {
      const id = String(tech['id']);
      if (MITRE_TECHNIQUES[id] === undefined || id.includes('.'))
        problems.push(`threat[${i}]: ${id} is not a known ATT&CK technique`);
      const subs = Array.isArray(tech['subtechnique']) ? tech['subtechnique'].filter(isRecord) : [];
      for (const sub of subs)
        if (!String(sub['id']).startsWith(`${id}.`) || MITRE_TECHNIQUES[String(sub['id'])] === undefined)
          problems.push(`threat[${i}]: ${String(sub['id'])} is not a known sub-technique of ${id}`);
    }
  });
  return problems;
}

/** Detection rules: shape, ids, severity, MITRE, index patterns; query and fields against the package. */
export function checkSecurityRules(ctx: RuleContext, objects: KibanaObject[]): void {
  const { model, report } = ctx;
  const rules = objects.filter((o) => o.folder === 'security_rule');
  if (!model || rules.length === 0) return;
  const elastic = isRecord(model.manifest.conditions?.elastic) ? model.manifest.conditions.elastic : {};
  if (!(strings(elastic['capabilities']) ?? []).includes('security'))
    report(
      'SECURITY_CAPABILITY',
      `${model.root}/manifest.yml`,
      'conditions.elastic.capabilities',
      'found security rule assets but the security capability is missing (package-spec ValidateCapabilitiesRequired)',
    );
  const seen = new Map<string, string>();
  for (const o of rules) {
    const a = o.attributes;
    const bad = (path: string, message: string): void => {
      report('SECURITY_RULE', o.file, `attributes.${path}`, message);
    };
    const ruleId = a['rule_id'];
    const version = a['version'];
    if (typeof ruleId !== 'string' || !UUID.test(ruleId))
      bad('rule_id', 'must be a lower-case UUID, fixed for the life of the rule');
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
      bad('version', 'must be a positive integer');
    if (typeof ruleId === 'string' && typeof version === 'number' && o.id !== `${ruleId}_${version}`)
      report(
        'SECURITY_RULE',
        o.file,
        'id',
        `id must be <rule_id>_<version> (${ruleId}_${version}): Kibana 9.4 lists package rules only under such ids`,
      );
    if (typeof ruleId === 'string') {
      const prior = seen.get(ruleId);
      if (prior !== undefined) bad('rule_id', `${ruleId} is also the rule_id of ${prior}`);
      seen.set(ruleId, o.file);
    }
    for (const key of ['name', 'description'])
      if (typeof a[key] !== 'string' || a[key] === '') bad(key, 'must be a non-empty string');
    const type = String(a['type']);
    if (!TYPES.has(type)) bad('type', `${type}: this check validates query, threshold and new_terms rules`);
    if (a['language'] !== 'kuery') bad('language', 'must be kuery');
    const severity = String(a['severity']);
    const band = SEVERITY_RISK[severity];
    const risk = a['risk_score'];
    if (!band) bad('severity', `${severity} is not low, medium, high or critical`);
    else if (typeof risk !== 'number' || risk < band[0] || risk > band[1])
      bad('risk_score', `${String(risk)} is outside the ${severity} band ${band[0]}-${band[1]}`);
    for (const problem of threatProblems(a['threat'])) bad('threat', problem);
    const fps = strings(a['false_positives']);
    if (!fps || fps.length === 0 || fps.some((f) => f.trim() === ''))
      bad('false_positives', 'describe at least one false positive');
    if (typeof a['interval'] !== 'string' || !DURATION.test(a['interval']))
      bad('interval', 'must be like 5m');
    if (typeof a['from'] !== 'string' || !DATE_MATH.test(a['from'])) bad('from', 'must be like now-15m');
    const index = strings(a['index']);
    const scope = indexScope(model, index ?? []);
    if (!index || index.length === 0 || scope.datasets.length === 0)
      bad(
        'index',
        `must name index patterns of the package's data streams (${model.dataStreams.map((d) => `${d.type}-${d.dataset}-*`).join(', ')})`,
      );

    const threshold = isRecord(a['threshold']) ? a['threshold'] : undefined;
    const thresholdFields = strings(threshold?.['field']);
    const cardinality = Array.isArray(threshold?.['cardinality'])
      ? threshold['cardinality'].filter(isRecord)
      : [];
    if (type === 'threshold') {
      if (!threshold || !thresholdFields || typeof threshold['value'] !== 'number' || threshold['value'] < 1)
        bad('threshold', 'a threshold rule needs threshold.field (a list) and threshold.value >= 1');
    } else if (threshold) bad('threshold', `only threshold rules take threshold (this is ${type})`);
    const newTerms = strings(a['new_terms_fields']);
    if (type === 'new_terms') {
      if (!newTerms || newTerms.length < 1 || newTerms.length > 3)
        bad('new_terms_fields', 'a new_terms rule needs 1 to 3 fields');
      if (typeof a['history_window_start'] !== 'string' || !DATE_MATH.test(a['history_window_start']))
        bad('history_window_start', 'must be like now-30d');
    }

    // The query and every field the rule reads, against the data streams its index covers.
    const query = typeof a['query'] === 'string' ? a['query'] : '';
    try {
      parseKql(query);
    } catch (error) {
      report(
        'SECURITY_RULE_QUERY',
        o.file,
        'attributes.query',
        `not KQL our parser reads: ${(error as Error).message}`,
      );
      continue;
    }
    if (scope.datasets.length === 0) continue;
    const spec = {
      query,
      threshold: thresholdFields
        ? { field: thresholdFields, cardinality: cardinality.map((c) => ({ field: String(c['field']) })) }
        : undefined,
      new_terms_fields: newTerms,
    };
    const grouped = new Set([
      ...(thresholdFields ?? []),
      ...cardinality.map((c) => String(c['field'])),
      ...(newTerms ?? []),
    ]);
    const fields = ruleFields(spec);
    for (const name of fields) {
      const f = lookupField(scope, name);
      if (!f) {
        report(
          'SECURITY_RULE_QUERY',
          o.file,
          'attributes',
          `${name} is not defined in ${scope.datasets.join(', ')}`,
        );
        continue;
      }
      if (grouped.has(name) && !AGGREGATABLE_TYPES.has(f.type))
        report(
          'SECURITY_RULE_QUERY',
          o.file,
          'attributes',
          `${name} is ${f.type}: threshold and new terms fields must be aggregatable`,
        );
    }
    const required = Array.isArray(a['required_fields']) ? a['required_fields'].filter(isRecord) : [];
    const listed = required.map((r) => `${String(r['name'])}:${String(r['type'])}`).sort();
    const actual = fields.map((name) => `${name}:${lookupField(scope, name)?.type ?? '?'}`).sort();
    if (listed.join() !== actual.join())
      bad('required_fields', `must list the fields the rule reads with their types (${actual.join(', ')})`);
  }
}
