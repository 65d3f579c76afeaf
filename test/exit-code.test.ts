import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { childEnv, packageRoot } from './helpers.js';

// Item 9 of issue 8: REFTRACE_EXIT_CODE replaces an exit status of 0, and only that.
function run(how: string, extra: Record<string, string> = {}) {
	return spawnSync(process.execPath, ['test/fixtures/exit-code-app.mjs', how], { cwd: packageRoot, env: childEnv({ REFTRACE_EXIT_CODE: '23', ...extra }), encoding: 'utf8' });
}

test('in off mode without the preload, a violation fails the run with REFTRACE_EXIT_CODE and prints only its own report', () => {
	const result = run('violation', { REFTRACE: 'off' });
	expect(result.status).toBe(23);
	expect(result.stderr.split('\n')[0]).toBe('reftrace: double-release: ref #1 of Conn#1 was released twice');
	expect(result.stderr).not.toMatch(/live references|leak report/);
});

test("Node's own status 13 for an unsettled top-level await is kept", () => {
	const result = run('unsettled');
	expect(result.status).toBe(13);
	expect(result.stderr).toContain('reftrace: leak report: 1 live ref to 1 object from 1 site\n');
});

test('an exit listener that throws after the report still ends the process with status 1', () => {
	const result = run('exit-listener-throws');
	expect(result.status).toBe(1);
	expect(result.stderr).toContain('Error: crash in an exit listener');
});
