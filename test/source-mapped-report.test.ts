import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = 'test/fixtures/double-release.ts';

function lineOfMarker(marker: string): number {
	return readFileSync(new URL(`../${fixture}`, import.meta.url), 'utf8').split('\n').findIndex((line) => line.includes(`// @${marker}`)) + 1;
}

function run(env: Record<string, string>) {
	const { NO_COLOR, ...rest } = childEnv(env);
	// Each test says itself whether NO_COLOR is set.
	return spawnSync(process.execPath, ['test/fixtures/.build/double-release.js'], { cwd: root, env: env['NO_COLOR'] === undefined ? rest : { ...rest, NO_COLOR }, encoding: 'utf8' });
}

beforeAll(() => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/fixtures/tsconfig.json'], { cwd: root });
});

test('a tsc-compiled app run with plain node sees its .ts files and lines in the report', () => {
	const result = run({ NO_COLOR: '1' });
	expect(result.status).toBe(0);
	expect(result.stdout).toBe('still running, count 1\n');
	const lines = result.stderr.trimEnd().split('\n');
	const signature = new RegExp(`^ {2}(1× )?signature: [0-9a-f]{8}\\tdouble-release\\tSocket\\tCache\\.evictAgain ${fixture}\\t`);
	expect(lines.pop()).toMatch(signature);
	expect(lines.pop()).toBe('reftrace: no live references; violations reported: 1 double-release');
	expect(lines[0]).toMatch(/^reftrace: double-release: ref #2 of Socket#1 was released twice$/);
	const at = (marker: string) => `${fixture}:${lineOfMarker(marker)}`;
	expect(lines.filter((line) => /^ {2}\S/.test(line))).toEqual([
		`  released here (ref #2 held by cache, pid ${result.pid}, thread 0)`,
		expect.stringMatching(new RegExp(`^  first released \\(ref #2 held by cache, pid ${result.pid}, thread 0, [\\d.]+ [µm]?s earlier\\)$`)),
		expect.stringMatching(new RegExp(`^  acquired \\(ref #2 held by cache, pid ${result.pid}, thread 0, [\\d.]+ [µm]?s earlier\\)$`)),
		'  Socket#1 count is 1.',
		expect.stringMatching(signature),
	]);
	const sites = lines.filter((line) => /^ {4}\S/.test(line));
	expect(sites).toEqual([
		expect.stringMatching(new RegExp(`^    ${at('culprit')}:\\d+ - this\\.entries\\.get\\(key\\)\\?\\.release\\(\\); // @culprit$`)),
		expect.stringMatching(new RegExp(`^    ${at('first-release')}:\\d+ - `)),
		expect.stringMatching(new RegExp(`^    ${at('acquire')}:\\d+ - `)),
	]);
	expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^      at Cache.evictAgain \\(${at('culprit')}:\\d+\\)$`)));
	expect(result.stderr).not.toMatch(/\.build|node:internal|\u001b\[/);
});

test('FORCE_COLOR colours the report; the text reads the same without it', () => {
	const coloured = run({ FORCE_COLOR: '1', NO_COLOR: '1' });
	expect(coloured.stderr).toMatch(/\u001b\[/);
	const stripped = coloured.stderr.replace(/\u001b\[\d+m/g, '');
	const plain = run({ NO_COLOR: '1' }).stderr;
	const normalise = (text: string) => text.replace(/pid \d+/g, 'pid N').replace(/[\d.]+ [µm]?s earlier/g, 'T earlier');
	expect(normalise(stripped)).toBe(normalise(plain));
});

test('REFTRACE=off still reports the double release, saying no history was kept', () => {
	const result = run({ NO_COLOR: '1', REFTRACE: 'off' });
	expect(result.stderr).toMatch(/^reftrace: double-release: /);
	expect(result.stderr).toContain('Socket#1 is tracked in off mode: no history recorded');
	expect(result.stderr).not.toContain('first released');
});

test('REFTRACE_ON_VIOLATION=throw makes the offending call throw', () => {
	const result = run({ NO_COLOR: '1', REFTRACE_ON_VIOLATION: 'throw' });
	expect(result.status).toBe(1);
	expect(result.stdout).toBe('');
	expect(result.stderr).toMatch(/DoubleReleaseError: reftrace: double-release: /);
});

test('a bad REFTRACE value gives one warning listing the valid variables', () => {
	const result = run({ NO_COLOR: '1', REFTRACE: 'verbose' });
	expect(result.stderr).toContain('reftrace ignored REFTRACE="verbose" is not off | list | full. Valid variables:\n  REFTRACE: off | list | full\n');
	expect(result.stderr.match(/Warning:/g)).toHaveLength(1);
	expect(result.stdout).toBe('still running, count 1\n');
});
