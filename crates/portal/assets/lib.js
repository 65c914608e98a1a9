// The one place the portal imports its UI library from: Preact with hooks, and htm for
// JSX-like templates without a build step (html`<div class=${x}>...</div>`).
import { h, render } from './vendor/preact.module.js';
import htm from './vendor/htm.module.js';
export { h, render };
export { useState, useEffect, useRef, useMemo, useCallback } from './vendor/hooks.module.js';
export const html = htm.bind(h);
