/** `collect --since` (issue #15 §2): a time in the future is refused in one line, exit 2, nothing written. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, memoryIo } from '../src';
import { parseSince } from '../src/commands/collect';

describe('collect --since', () => {
  it.each([
    ['9999-12-31', '9999-12-31T00:00:00Z'],
    ['two minutes from now', new Date(Date.now() + 120_000).toISOString()],
  ])(
    '%s (the future) → exit 2, one line naming --since and what was expected, nothing written',
    async (_name, since) => {
      const cwd = mkdtempSync(join(tmpdir(), 'collect-since-'));
      const io = memoryIo({
        cwd,
        env: { LASTPASS_ACCOUNT_NUMBER: '8771312', LASTPASS_PROVISIONING_HASH: 'some-hash-value-123' },
      });
      expect(await main(['collect', '--once', '--since', since], io)).toBe(2);
      const lines = io.err().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`--since: expected a time in the past`);
      expect(lines[0]).toContain(`got "${since}", which is after now`);
      expect(io.out()).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it('a past time is the first window start; the present is allowed; a bad format is named as before', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseSince('2025-12-31T23:59:59Z', now)).toBe(now - 1000);
    expect(parseSince('2026-01-01T00:00:00Z', now)).toBe(now);
    expect(() => parseSince('2026-01-01T00:00:01Z', now)).toThrow(/--since: expected a time in the past/);
    expect(() => parseSince('yesterday', now)).toThrow(/--since: expected an RFC 3339 time/);
    expect(parseSince(undefined, now)).toBeUndefined();
  });
});
