import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { OfflineBanner } from './OfflineBanner';

describe('OfflineBanner', () => {
  it('says the console is offline, working from the cache, and why', () => {
    render(<OfflineBanner sync={{ state: 'offline', error: { code: 'HUB_UNREACHABLE', message: 'the hub cannot be reached', doc_url: '' }, pending: 2 }} />);
    const b = screen.getByTestId('offline-banner');
    expect(b).toHaveTextContent('Offline.');
    expect(b).toHaveTextContent('2 changes (messages, notes, assignments, reactions…) will be sent when the hub is back');
    expect(b).toHaveTextContent('the hub cannot be reached');
  });

  it('asks to sign in again when signed out', () => {
    render(<OfflineBanner sync={{ state: 'signed_out' }} />);
    expect(screen.getByTestId('signed-out-banner')).toHaveTextContent('Open Settings to sign in again');
  });

  it('shows nothing when online', () => {
    const { container } = render(<OfflineBanner sync={{ state: 'online' }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
