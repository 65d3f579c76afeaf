import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { displayPath } from '../lib/platform/node-source-map.js';

test('a dependency in the node_modules of an enclosing folder (a workspace root) is shown relative, like the app', () => {
	const hoisted = join(dirname(process.cwd()), 'node_modules', 'chai', 'index.js');
	expect(displayPath(hoisted)).toBe(join('..', 'node_modules', 'chai', 'index.js'));
});

test("another project's dependency, in a node_modules Node does not look in from here, stays absolute", () => {
	const elsewhere = join(dirname(process.cwd()), 'other-project', 'node_modules', 'chai', 'index.js');
	expect(displayPath(elsewhere)).toBe(elsewhere);
});
