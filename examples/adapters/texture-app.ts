import { Texture } from './texture.js';

/*
 * A sprite cache that retains a texture and never releases it, among balanced retain/release pairs, and a
 * release too many. Run: node --import tsx examples/adapters/texture-app.ts
 */
const sprites = new Map<string, Texture>();

function cacheSprite(key: string, texture: Texture): void {
	sprites.set(key, texture.retain()); // @cache-retain
}

function drawSprite(texture: Texture): void {
	texture.retain();
	texture.release();
}

function renderScene(texture: Texture): void {
	for (let i = 0; i < 3; i++) drawSprite(texture);
	cacheSprite('hero', texture); // @cache-call
}

const atlas = new Texture('atlas'); // @atlas-new
renderScene(atlas); // @render
atlas.release(); // @atlas-release

const logo = new Texture('logo');
logo.release(); // @logo-release
logo.release(); // @logo-again
