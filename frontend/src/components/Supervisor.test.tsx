import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { countersStore } from '../stores/counters';
import { loadSession, loadUsers, sessionStore } from '../stores/session';
import { FakeConsole } from '../test/fakeConsole';
import { T0, USERS, iso } from '../test/fixtures';
import { resetStores } from '../test/reset';
import { Settings } from './Settings';
import { Supervisor } from './Supervisor';

describe('Supervisor', () => {
  beforeEach(() => resetStores(T0));

  it('shows totals, per agent, per team and the oldest wait', async () => {
    new FakeConsole({ now: () => T0 });
    await loadSession();
    await loadUsers();
    countersStore.set({ total: 9, unassigned: 4, by_agent: { '2': 3, '3': 2 }, by_team: { Sales: 5, Support: 4 }, oldest_waiting_since: iso(T0 - 20 * 60_000) });
    render(<Supervisor />);
    expect(screen.getByTestId('sup-total')).toHaveTextContent('9');
    expect(screen.getByTestId('sup-unassigned')).toHaveTextContent('4');
    expect(screen.getByTestId('sup-oldest')).toHaveTextContent('20m');
    const agents = screen.getAllByTestId('sup-agent').map((r) => r.textContent);
    expect(agents[0]).toMatch(/Ben Okafor.*3/);
    expect(agents[1]).toMatch(/Chen Wei.*2/);
    expect(agents[2]).toMatch(/Ana Souza.*0/);
    expect(screen.getAllByTestId('sup-team').map((r) => r.textContent)).toEqual(['Sales5', 'Support4']);
  });

  it('is for supervisors only', async () => {
    new FakeConsole({ me: USERS[1], now: () => T0 });
    await loadSession();
    render(<Supervisor />);
    expect(screen.getByText('For supervisors')).toBeInTheDocument();
    expect(screen.queryByTestId('sup-total')).toBeNull();
  });
});

describe('Settings', () => {
  beforeEach(() => resetStores(T0));

  it('signs in to a hub with email and password, or with a token', async () => {
    const fake = new FakeConsole({ now: () => T0 });
    await loadSession();
    const user = userEvent.setup();
    render(<Settings />);
    expect(screen.getByTestId('current-connection')).toHaveTextContent('Demo sandbox');
    await user.type(screen.getByLabelText('Hub URL'), 'https://hub.example.com');
    await user.type(screen.getByLabelText('Email'), 'ana@example.com');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(fake.calls.find((c) => c.name === 'SignIn')?.args).toEqual(['https://hub.example.com', 'ana@example.com', 'secret']);
    await user.click(screen.getByRole('radio', { name: 'API token' }));
    await user.type(screen.getByLabelText('Token'), 'sbt_123');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(fake.calls.find((c) => c.name === 'SignInWithToken')?.args).toEqual(['https://hub.example.com', 'sbt_123']);
  });

  it('shows why a sign-in failed', async () => {
    const fake = new FakeConsole({ now: () => T0 });
    fake.failNext.SignIn = { code: 'UNAUTHORIZED', message: 'Wrong email or password.' };
    await loadSession();
    const user = userEvent.setup();
    render(<Settings />);
    await user.type(screen.getByLabelText('Hub URL'), 'https://hub.example.com');
    await user.type(screen.getByLabelText('Email'), 'a@b.c');
    await user.type(screen.getByLabelText('Password'), 'x');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password. (UNAUTHORIZED)');
    expect(sessionStore.get().signInError?.code).toBe('UNAUTHORIZED');
  });

  it('adds and deletes quick replies', async () => {
    new FakeConsole({ now: () => T0 });
    localStorage.clear();
    const user = userEvent.setup();
    render(<Settings />);
    await user.type(screen.getByLabelText('Shortcut'), '/refund');
    await user.type(screen.getByLabelText('Reply text'), 'Your refund is on its way.');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByTestId('quick-replies')).toHaveTextContent('/refundYour refund is on its way.');
    expect(JSON.parse(localStorage.getItem('switchboard.quickReplies')!).at(-1)).toEqual({ shortcut: 'refund', text: 'Your refund is on its way.' });
    await user.click(screen.getByRole('button', { name: 'Delete /refund' }));
    expect(screen.getByTestId('quick-replies')).not.toHaveTextContent('/refund');
  });

  it('asks twice before signing out', async () => {
    const fake = new FakeConsole({ now: () => T0 });
    await loadSession();
    const user = userEvent.setup();
    render(<Settings />);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(fake.calls.some((c) => c.name === 'SignOut')).toBe(false);
    await user.click(screen.getByRole('button', { name: /click again to sign out/i }));
    expect(fake.calls.some((c) => c.name === 'SignOut')).toBe(true);
  });
});
