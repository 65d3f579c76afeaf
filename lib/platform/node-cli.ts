import { readFileSync } from 'node:fs';
import { writeAll } from './node-write.js';
import { colorLevel } from './runtime.js';

/** What the command line gets from Node (the shape `cli/main.ts` asks for). */
interface NodeCliIo {
	readonly read: (path: string) => { readonly text: string } | { readonly error: string };
	readonly out: (text: string) => void;
	readonly err: (text: string) => void;
	readonly colorLevel: 0 | 1 | 2 | 3;
}

/** The `reftrace` command's process: files read whole, output written whole (even into a slow pipe). */
export const nodeCliIo: NodeCliIo = {
	read: (path) => {
		try {
			return { text: readFileSync(path, 'utf8') };
		} catch (error) {
			const { code, message } = error as NodeJS.ErrnoException;
			return { error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : message };
		}
	},
	out: (text) => writeAll(1, text),
	err: (text) => writeAll(2, text),
	colorLevel: colorLevel(process.env, () => process.stdout),
};

/** Runs the command line with this process's arguments and sets its exit status. */
export function runNodeCli(run: (args: readonly string[], io: NodeCliIo) => number): void {
	process.exitCode = run(process.argv.slice(2), nodeCliIo);
}
