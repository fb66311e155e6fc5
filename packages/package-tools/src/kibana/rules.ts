import type { FieldDefinition, PackageModel } from '@lastpass-elastic/package-model';
import { kqlQueryFields, parseKql } from '../rules/kql';
import { KibanaDefinitionError, type RuleDefaults, type RuleDefinition } from './definitions';
import { lookupField, fieldScope } from './fields';

type Json = Record<string, unknown>;

/** MITRE ATT&CK names of the tactics and techniques the package's rules map to (ATT&CK v15 names). */
export const MITRE_TACTICS: Record<string, string> = {
  TA0001: 'Initial Access',
  TA0003: 'Persistence',
  TA0004: 'Privilege Escalation',
  TA0005: 'Defense Evasion',
  TA0006: 'Credential Access',
  TA0009: 'Collection',
  TA0010: 'Exfiltration',
  TA0040: 'Impact',
};
export const MITRE_TECHNIQUES: Record<string, string> = {
  T1078: 'Valid Accounts',
  'T1078.004': 'Cloud Accounts',
  T1098: 'Account Manipulation',
  'T1098.001': 'Additional Cloud Credentials',
  'T1098.003': 'Additional Cloud Roles',
  T1110: 'Brute Force',
  'T1110.001': 'Password Guessing',
  'T1110.003': 'Password Spraying',
  T1485: 'Data Destruction',
  T1537: 'Transfer Data to Cloud Account',
  T1555: 'Credentials from Password Stores',
  'T1555.005': 'Password Managers',
  T1556: 'Modify Authentication Process',
  'T1556.006': 'Multi-Factor Authentication',
  T1562: 'Impair Defenses',
  'T1562.001': 'Disable or Modify Tools',
};

/** Kibana's severity bands for the default risk score (low 0-21, medium 22-47, high 48-73, critical 74-100). */
export const SEVERITY_RISK: Record<string, [number, number]> = {
  low: [0, 21],
  medium: [22, 47],
  high: [48, 73],
  critical: [74, 100],
};

const mitreUrl = (id: string): string =>
  id.startsWith('TA')
    ? `https://attack.mitre.org/tactics/${id}/`
    : `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;

function threat(def: RuleDefinition, where: string): Json[] {
  return def.threat.map((t) => {
    const tacticName = MITRE_TACTICS[t.tactic];
    if (tacticName === undefined)
      throw new KibanaDefinitionError(`${where}: unknown MITRE tactic ${t.tactic}`);
    const parents = [...new Set(t.techniques.map((x) => x.split('.')[0] ?? x))];
    return {
      framework: 'MITRE ATT&CK',
      tactic: { id: t.tactic, name: tacticName, reference: mitreUrl(t.tactic) },
      technique: parents.map((id) => {
        const name = MITRE_TECHNIQUES[id];
        if (name === undefined) throw new KibanaDefinitionError(`${where}: unknown MITRE technique ${id}`);
        const subs = t.techniques.filter((x) => x.startsWith(`${id}.`));
        return {
          id,
          name,
          reference: mitreUrl(id),
          ...(subs.length > 0
            ? {
                subtechnique: subs.map((sid) => {
                  const subName = MITRE_TECHNIQUES[sid];
                  if (subName === undefined)
                    throw new KibanaDefinitionError(`${where}: unknown MITRE sub-technique ${sid}`);
                  return { id: sid, name: subName, reference: mitreUrl(sid) };
                }),
              }
            : {}),
        };
      }),
    };
  });
}

/** Fields a rule reads: its query's, its threshold's and its new terms'. */
export function ruleFields(def: {
  query: string;
  threshold?: { field: string[]; cardinality?: { field: string }[] | undefined } | undefined;
  new_terms_fields?: string[] | undefined;
}): string[] {
  const fields = kqlQueryFields(parseKql(def.query));
  for (const f of [
    ...(def.threshold?.field ?? []),
    ...(def.threshold?.cardinality ?? []).map((c) => c.field),
    ...(def.new_terms_fields ?? []),
  ])
    if (!fields.includes(f)) fields.push(f);
  return fields;
}

/** The datasets a rule's index patterns cover (by the package's data streams). */
export function ruleDatasets(pkg: PackageModel, index: string[]): string[] {
  return pkg.dataStreams
    .filter((ds) => index.some((p) => p === `${ds.type}-${ds.dataset}-*`))
    .map((ds) => ds.dataset);
}

/** The rule id of a saved object: `<rule_id>_<version>` (Kibana 9.4 only lists package rules named so). */
export function ruleObjectId(def: { rule_id: string; version: number }): string {
  return `${def.rule_id}_${def.version}`;
}

/** Renders a rule definition into a `security-rule` saved object (Kibana's prebuilt rule asset shape). */
export function renderRule(
  pkg: PackageModel,
  defaults: RuleDefaults,
  def: RuleDefinition,
  where: string,
): Json {
  const datasets = ruleDatasets(pkg, defaults.index);
  const scope = fieldScope(pkg, undefined, datasets);
  const required = ruleFields(def).map((name) => {
    const f: FieldDefinition | undefined = lookupField(scope, name);
    if (!f)
      throw new KibanaDefinitionError(`${where}: field ${name} is not defined in ${datasets.join(', ')}`);
    return { name, type: f.type, ecs: f.external === 'ecs' };
  });
  const typeSpecific: Json =
    def.type === 'threshold'
      ? { threshold: def.threshold }
      : def.type === 'new_terms'
        ? { new_terms_fields: def.new_terms_fields, history_window_start: def.history_window_start }
        : {};
  const attributes: Json = {
    rule_id: def.rule_id,
    version: def.version,
    name: def.name,
    description: def.description,
    type: def.type,
    language: 'kuery',
    query: def.query,
    ...typeSpecific,
    index: defaults.index,
    interval: def.interval,
    from: def.from,
    ...(defaults.timestamp_override ? { timestamp_override: defaults.timestamp_override } : {}),
    max_signals: defaults.max_signals,
    severity: def.severity,
    risk_score: def.risk_score,
    threat: threat(def, where),
    false_positives: def.false_positives,
    note: def.note,
    setup: defaults.setup,
    references: def.references,
    author: defaults.author,
    license: defaults.license,
    tags: [...defaults.tags, ...def.tags],
    related_integrations: defaults.related_integrations,
    required_fields: required,
    investigation_fields: { field_names: def.investigation_fields },
  };
  return { id: ruleObjectId(def), type: 'security-rule', attributes };
}
