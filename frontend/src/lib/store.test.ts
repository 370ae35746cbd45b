import { describe, expect, it, vi } from 'vitest';
import { createStore } from './store';

describe('createStore', () => {
  it('notifies subscribers on change and not on a no-op', () => {
    const store = createStore({ n: 0 });
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.set((s) => ({ n: s.n + 1 }));
    store.set(store.get());
    expect(store.get()).toEqual({ n: 1 });
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    store.set({ n: 2 });
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
