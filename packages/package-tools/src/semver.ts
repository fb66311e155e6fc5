/** Semantic versions (MAJOR.MINOR.PATCH[-pre][+build]) of packages, package-spec and Elasticsearch. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | undefined;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] };
}

/** Compares release parts only (pre-release ignored), as package-spec does for format_version. */
export function compareCore(a: SemVer, b: SemVer): number {
  return Math.sign(a.major - b.major || a.minor - b.minor || a.patch - b.patch);
}

/** Pre-release identifiers compared dot by dot: numeric ones numerically and before alphanumeric ones. */
function comparePrerelease(a: string, b: string): number {
  const ia = a.split('.');
  const ib = b.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i += 1) {
    const sa = ia[i];
    const sb = ib[i];
    if (sa === undefined) return -1;
    if (sb === undefined) return 1;
    const na = /^\d+$/.test(sa) ? Number(sa) : undefined;
    const nb = /^\d+$/.test(sb) ? Number(sb) : undefined;
    if (na !== undefined && nb !== undefined && na !== nb) return Math.sign(na - nb);
    if (na !== undefined && nb === undefined) return -1;
    if (na === undefined && nb !== undefined) return 1;
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  return 0;
}

/** Full semver precedence: a pre-release sorts before its release. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = compareCore(a, b);
  if (core !== 0) return core;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** compareSemVer on version strings; NaN when either is not a semantic version. */
export function compareVersions(a: string, b: string): number {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  return x === undefined || y === undefined ? Number.NaN : compareSemVer(x, y);
}
