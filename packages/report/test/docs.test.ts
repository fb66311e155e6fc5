import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_IDS, GAP_KINDS, postureReportSchema } from '../src';

// The schema's documentation (packages/report/README.md and the root README) names what the code defines.
const workspaceReadme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const rootReadme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('posture.json documentation', () => {
  it.each([...FINDING_IDS])('documents finding %s in both READMEs', (id) => {
    expect(workspaceReadme).toContain(`\`${id}\``);
    expect(rootReadme).toContain(`\`${id}\``);
  });
  it.each([...GAP_KINDS])('documents gap kind %s', (kind) => {
    expect(workspaceReadme).toContain(`\`${kind}\``);
  });
  it('documents every top-level and account key of the schema', () => {
    for (const key of Object.keys(postureReportSchema.shape)) expect(workspaceReadme).toContain(`\`${key}\``);
    const account = postureReportSchema.shape.accounts.element.shape;
    for (const key of Object.keys(account)) expect(workspaceReadme).toMatch(new RegExp(`\`\\.?${key}[\`.]`));
  });
});
