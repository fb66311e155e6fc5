const cache = new Map<string, RegExp>();

/** Elasticsearch's simple wildcard match: `*` matches any run of characters, nothing else is special. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = cache.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    cache.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Whether two index patterns can match a common name (Elasticsearch compares automatons; this
 * approximation treats each pattern's literal text as a candidate for the other, which covers the
 * prefix patterns index templates use).
 */
export function patternsOverlap(a: string, b: string): boolean {
  return (
    wildcardMatch(a, b.replaceAll('*', 'x')) ||
    wildcardMatch(b, a.replaceAll('*', 'x')) ||
    wildcardMatch(a, b) ||
    wildcardMatch(b, a)
  );
}

/** Names matching a comma-separated list of names and wildcard patterns. */
export function selectNames(names: string[], expression: string): string[] {
  const parts = expression.split(',');
  return names.filter((n) => parts.some((p) => wildcardMatch(p, n)));
}
