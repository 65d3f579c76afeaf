import { checkLeaks } from 'reftrace';
import { GpuBuffer, type Context2D } from './gpu.js';

/*
 * A small canvas app with two bugs for reftrace to find: a buffer made for every frame's sparkle and never
 * destroyed (found when the garbage collector takes it), and a palette destroyed twice on resize (found at
 * the second call). Built by esbuild for the browser (test/browser.test.ts), as an app's own build would.
 */

declare const document: { getElementById(id: string): { getContext(kind: '2d'): Context2D } | null };

const context = document.getElementById('scene')!.getContext('2d');
let palette = [new GpuBuffer('red', '#d33'), new GpuBuffer('blue', '#36c')]; // @palette

function drawFrame(frame: number): void {
	context.clearRect(0, 0, 320, 80);
	palette.forEach((buffer, i) => buffer.draw(context, 10 + i * 30, 10));
	const sparkle = new GpuBuffer(`sparkle ${frame}`, '#fc0'); // @sparkle
	sparkle.draw(context, 80 + frame * 30, 40);
	// The bug: the sparkle's buffer is dropped here without destroy().
}

function resize(): void {
	for (const buffer of palette) buffer.destroy(); // @first-destroy
	const old = palette;
	palette = [new GpuBuffer('green', '#3a3'), new GpuBuffer('blue', '#36c')]; // @new-palette
	old[0]!.destroy(); // @double-destroy
}

/** Loads a scene's buffers; the `await` stands for fetching its data. Keeps one buffer by mistake. */
async function loadScene(): Promise<number> {
	const staging = new GpuBuffer('staging', '#999'); // @staging
	await new Promise((resolve) => setTimeout(resolve, 1));
	const mesh = new GpuBuffer('mesh', '#999'); // @mesh
	mesh.destroy();
	return staging.label.length;
}

for (let frame = 0; frame < 3; frame++) drawFrame(frame);
resize();
// checkLeaks without an async context: what it found, for the test and the console to read.
const checked = checkLeaks(loadScene).then(
	() => 'clean',
	(error: Error) => error.message,
);
(globalThis as { example?: unknown }).example = { checked };
