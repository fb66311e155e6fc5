import { join } from 'node:path';
import { changelogSchema, readStructured } from '@lastpass-elastic/package-model';
import type { RuleContext } from '../context';
import { compareSemVer, parseSemVer } from '../../semver';

const PRERELEASE = /^(next|SNAPSHOT|(beta|rc|preview)\d+)$/;

/** Version integrity, pre-release tags and changelog links. */
export function checkVersions(ctx: RuleContext): void {
  const { model, report } = ctx;
  const file = join(ctx.root, 'changelog.yml');
  const read = readStructured(file);
  if (!read.ok) return; // reported by the structure walk / model
  const parsed = changelogSchema.safeParse(read.value);
  if (!parsed.success) return; // schema finding covers it
  const entries = parsed.data;
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (seen.has(entry.version))
      report('VERSION_CHANGELOG', file, `[${i}].version`, `version ${entry.version} appears more than once`);
    seen.add(entry.version);
    const v = parseSemVer(entry.version);
    if (!v)
      report('VERSION_CHANGELOG', file, `[${i}].version`, `"${entry.version}" is not a semantic version`);
    entry.changes.forEach((change, j) => {
      const m = /^https:\/\/github\.com\/[^/]+\/[^/]+\/(pull|issues)\/(\d+)$/.exec(change.link);
      if (change.link.startsWith('https://github.com/') && (!m || Number(m[2]) <= 0)) {
        report(
          'CHANGELOG_LINK',
          file,
          `[${i}].changes[${j}].link`,
          `GitHub link "${change.link}" must end in /pull/<n> or /issues/<n> with n > 0`,
        );
      }
    });
  });
  const first = entries[0] ? parseSemVer(entries[0].version) : undefined;
  entries.forEach((entry, i) => {
    const v = parseSemVer(entry.version);
    if (first && v && compareSemVer(v, first) > 0) {
      report(
        'VERSION_CHANGELOG',
        file,
        `[${i}].version`,
        `version ${entry.version} is newer than the first entry ${entries[0]?.version ?? ''}; the newest version goes first`,
      );
    }
  });
  if (!model) return;
  const manifestFile = join(ctx.root, 'manifest.yml');
  const version = model.manifest.version;
  const parsedVersion = parseSemVer(version);
  if (!parsedVersion) {
    report('VERSION_CHANGELOG', manifestFile, 'version', `"${version}" is not a semantic version`);
  } else if (parsedVersion.prerelease !== undefined && !PRERELEASE.test(parsedVersion.prerelease)) {
    report(
      'VERSION_PRERELEASE',
      manifestFile,
      'version',
      `pre-release tag "${parsedVersion.prerelease}" must be next, SNAPSHOT, betaN, rcN or previewN`,
    );
  }
  if (!seen.has(version)) {
    report('VERSION_CHANGELOG', file, '', `manifest version ${version} has no changelog entry`);
  } else if (entries[0]?.version !== version) {
    report(
      'VERSION_CHANGELOG',
      file,
      '[0].version',
      `the first changelog entry is ${entries[0]?.version ?? 'missing'} but the manifest version is ${version}`,
    );
  }
}
