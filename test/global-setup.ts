import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the run one temporary folder and removes it at the end: the scratch projects, packed tarballs, report
 * files and browser profiles that tests and their child processes make (`os.tmpdir()` reads `TMPDIR`, which
 * the test workers and their children inherit) would otherwise stay behind, ~85 MB per run.
 */
export default function setup(): () => void {
	const root = mkdtempSync(join(tmpdir(), 'reftrace-test-'));
	process.env['TMPDIR'] = root;
	return () => rmSync(root, { recursive: true, force: true });
}
