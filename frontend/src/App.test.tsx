import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import App from './App';
import { initialSystemState, systemStore } from './stores/system';
import { installFakeGo } from './test/fakeGo';

describe('App shell', () => {
  beforeEach(() => systemStore.set(initialSystemState));

  it('shows the build info Go reports', async () => {
    installFakeGo();
    render(<App />);
    expect(await screen.findByTestId('build-go')).toHaveTextContent('go1.26.8');
    expect(screen.getByTestId('build-version')).toHaveTextContent('1.2.3');
    expect(screen.getByTestId('build-version')).toHaveTextContent('production');
    // The sidebar footer shows the version too.
    expect(screen.getByRole('navigation', { name: 'Main' })).toHaveTextContent('v1.2.3');
  });

  it('pings Go with the typed note and shows the reply', async () => {
    const user = userEvent.setup();
    installFakeGo();
    render(<App />);
    const note = screen.getByRole('textbox', { name: 'Note' });
    await user.clear(note);
    await user.type(note, 'are you there');
    await user.click(screen.getByRole('button', { name: /ping go/i }));
    expect(await screen.findByTestId('ping-reply')).toHaveTextContent('pong: are you there');
    expect(screen.getByTestId('ping-result')).toHaveTextContent('#1');
  });

  it('shows the error code when Go rejects the ping', async () => {
    const user = userEvent.setup();
    installFakeGo({
      // The shape app.FormatError gives a rejected binding call.
      Ping: () =>
        Promise.reject({ code: 'VALIDATION_FAILED', message: 'note is too long', doc_url: '/docs/errors#VALIDATION_FAILED', field: 'note' }),
    });
    render(<App />);
    await user.click(screen.getByRole('button', { name: /ping go/i }));
    const alert = await within(screen.getByTestId('ping-result')).findByRole('alert');
    expect(alert).toHaveTextContent('VALIDATION_FAILED');
    expect(alert).toHaveTextContent('note is too long');
  });

  it('says so when the Go bridge is missing', async () => {
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Go bridge is not loaded');
  });

  it('switches views from the sidebar', async () => {
    const user = userEvent.setup();
    installFakeGo();
    render(<App />);
    await user.click(screen.getByRole('button', { name: /inbox/i }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Inbox');
    expect(screen.getByText('Conversations appear here')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /inbox/i })).toHaveAttribute('aria-current', 'page');
  });
});
