import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv, siteOf } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = new URL('./fixtures/tsx-app.ts', import.meta.url).href;

test('an app run under tsx sees its .ts lines in reports', () => {
	const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/tsx-app.ts'], { cwd: root, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	const lines = result.stderr.split('\n');
	expect(lines[0]).toBe('reftrace: release-after-move: release of ref #1 of Job#1 after the ref was moved to queue');
	expect(lines[2]).toMatch(new RegExp(`^ {4}${siteOf(fixture, 'culprit')}:\\d+ - job\\.release\\(\\); // @culprit$`));
	expect(lines[4]).toMatch(/^ {2}moved to a new ref \(ref #2 held by queue, /);
	expect(lines[5]).toMatch(new RegExp(`^ {4}${siteOf(fixture, 'move')}:\\d+ - queue\\.push\\(job\\.move\\('queue'\\)\\); // @move$`));
	expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {6}at enqueue \\(${siteOf(fixture, 'move')}:\\d+\\)$`)));
});
