import * as THREE from 'three';
import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, isAdopted, LeakError, type DoubleReleaseError } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

// The three.js recipe of docs/adapters.md, run against three.js itself (a devDependency; geometries,
// materials, textures and render targets are made and disposed without a WebGL context, as here).

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

// The recipe: the classes the application constructs, each adopted; dispose() gives the reference back.
// three.js's own frames (its clone() making the copy) are skipped at the top, so sites name the app's line.
configure({ wrapperFiles: [/node_modules\/(?:\.vite\/deps\/)?three\b/] });
const disposable = { shape: 'disposable', release: ['dispose'] } as const;
const BoxGeometry = instrument(THREE.BoxGeometry, disposable);
const MeshStandardMaterial = instrument(THREE.MeshStandardMaterial, disposable);
const DataTexture = instrument(THREE.DataTexture, disposable);
const WebGLRenderTarget = instrument(THREE.WebGLRenderTarget, disposable);

test('a geometry disposed twice is a double release naming both disposes; three.js still dispatches both dispose events', () => {
	const seen = collectViolations();
	const geometry = new BoxGeometry(1, 1, 1); // @box
	let events = 0;
	geometry.addEventListener('dispose', () => events++);
	geometry.dispose(); // @first-dispose
	geometry.dispose(); // @second-dispose
	expect(seen).toHaveLength(1);
	const error = seen[0] as DoubleReleaseError;
	expect(lineOf(error.culprit.site)).toBe(siteOf(import.meta.url, 'second-dispose'));
	expect(error.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'first-dispose'), siteOf(import.meta.url, 'box')]);
	expect(events).toBe(2);
	expect(geometry).toBeInstanceOf(THREE.BufferGeometry);
});

test('checkLeaks names a material and a render target never disposed; a clone is a reference of its own', async () => {
	const kept: { dispose(): void }[] = [];
	const error = await checkLeaks(() => {
		const material = new MeshStandardMaterial({ color: 0xff0000 });
		kept.push(material.clone()); // @clone
		material.dispose();
		kept.push(new WebGLRenderTarget(64, 64)); // @target
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites.map((s) => lineOf(s.site)).sort()).toEqual([siteOf(import.meta.url, 'clone'), siteOf(import.meta.url, 'target')].sort());
	expect(isAdopted(kept[0]!)).toBe(true);
	for (const object of kept) object.dispose();
});

test('a texture dropped without dispose is reported when collected, at the line that made it', async () => {
	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (e) => void (e instanceof LeakError && leaks.push(e)) });
	(() => {
		new DataTexture(new Uint8Array(4), 1, 1); // @dropped-texture
	})();
	await collectGarbage(() => leaks.length === 1);
	expect(leaks).toHaveLength(1);
	expect(lineOf(leaks[0]!.taken!.site)).toBe(siteOf(import.meta.url, 'dropped-texture'));
});
