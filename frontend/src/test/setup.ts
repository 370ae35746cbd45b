import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lays nothing out, so every element is 0×0 and a virtualised list
// would render no rows. Scroll containers marked data-virtual-scroll report
// a viewport tall enough for the rows a test creates.
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return this.hasAttribute('data-virtual-scroll') ? 4000 : 0;
  },
});
Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get(this: HTMLElement) {
    return this.hasAttribute('data-virtual-scroll') ? 800 : 0;
  },
});
// jsdom has no scrollTo on elements; the virtualiser calls it.
if (!HTMLElement.prototype.scrollTo) HTMLElement.prototype.scrollTo = function scrollTo() {};

afterEach(() => {
  cleanup();
  delete (window as { go?: unknown }).go;
  delete (window as { runtime?: unknown }).runtime;
});
