import type { MouseEvent } from 'react';

/**
 * Props that give an element its title when the pointer first enters it,
 * instead of on every render: a list row re-renders often, and a
 * locale-formatted date in every row's title would be computed each time
 * for a tooltip almost nobody opens. The title is in place before the
 * tooltip shows, as WebKit reads it on hover.
 */
export function hoverTitle(make: () => string): { onMouseEnter: (e: MouseEvent<HTMLElement>) => void } {
  return {
    onMouseEnter: (e) => {
      e.currentTarget.title = make();
    },
  };
}
