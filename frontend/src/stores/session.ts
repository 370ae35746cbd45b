import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';
import type { ConsoleStatus, SignInRequest, SyncState, User } from '../lib/types';
import { setClockOffset } from './clock';

/** Who is signed in, where to, the sync engine's state and the team directory. */
export interface SessionState {
  /** The console's status (Status(), session.updated). */
  session: ConsoleStatus | null;
  loading: boolean;
  error: AppError | null;
  /** A sign-in attempt from Settings is under way. */
  signingIn: boolean;
  signInError: AppError | null;
  /** The sync engine's state; "connecting" until Go has said. */
  sync: SyncState;
  /** Unsent outbox items, all conversations together. */
  pending: number;
  /** Agents, supervisors and admins, for assignment and the supervisor view. */
  users: User[];
}

export const initialSessionState: SessionState = {
  session: null,
  loading: false,
  error: null,
  signingIn: false,
  signInError: null,
  sync: { state: 'connecting', seq: 0, since: '', pending: 0 },
  pending: 0,
  users: [],
};

export const sessionStore = createStore<SessionState>(initialSessionState);

/** The signed-in user's id, or 0. */
export function myId(): number {
  return sessionStore.get().session?.user?.id ?? 0;
}

/** Whether the hub is out of reach (the offline banner shows). */
export function isOffline(s: SessionState): boolean {
  return s.sync.state === 'offline';
}

/** Whether the signed-in user may see everyone's counters. */
export function isSupervisor(s: SessionState): boolean {
  const role = s.session?.user?.role;
  return role === 'supervisor' || role === 'admin';
}

/** Applies a status from Go: the session, its sync state, pending count and clock offset. */
export function applyStatus(status: ConsoleStatus): void {
  if (typeof status.clock_offset_ms === 'number') setClockOffset(status.clock_offset_ms);
  sessionStore.set((s) => ({
    ...s,
    session: status,
    sync: status.sync ? { ...status.sync, pending: status.pending ?? s.pending } : s.sync,
    pending: status.pending ?? s.pending,
  }));
}

export async function loadSession(): Promise<void> {
  sessionStore.set((s) => ({ ...s, loading: true, error: null }));
  try {
    const status = await go.Status();
    applyStatus(status);
    sessionStore.set((s) => ({ ...s, loading: false }));
  } catch (err) {
    sessionStore.set((s) => ({ ...s, loading: false, error: toAppError(err) }));
  }
}

export async function loadUsers(): Promise<void> {
  try {
    const users = await go.Users();
    sessionStore.set((s) => ({ ...s, users: users ?? [] }));
  } catch {
    // The directory only feeds assignment menus; they fall back to "me".
  }
}

async function signInWith(fn: () => Promise<ConsoleStatus>): Promise<boolean> {
  sessionStore.set((s) => ({ ...s, signingIn: true, signInError: null }));
  try {
    applyStatus(await fn());
    sessionStore.set((s) => ({ ...s, signingIn: false }));
    return true;
  } catch (err) {
    sessionStore.set((s) => ({ ...s, signingIn: false, signInError: toAppError(err) }));
    return false;
  }
}

/** Connects to a real hub. */
export function signIn(req: SignInRequest): Promise<boolean> {
  return signInWith(() =>
    req.token ? go.SignInWithToken(req.hub_url, req.token) : go.SignIn(req.hub_url, req.email ?? '', req.password ?? ''),
  );
}

/** Switches to the demo hub (the sandbox and its simulated customers). */
export function connectSandbox(): Promise<boolean> {
  return signInWith(() => go.UseDemoHub());
}

export async function signOut(): Promise<void> {
  await signInWith(() => go.SignOut());
}

/** Cuts the reconnect backoff short. */
export async function reconnect(): Promise<void> {
  try {
    applyStatus(await go.Reconnect());
  } catch {
    // The banner keeps saying offline.
  }
}

/** Follows sync.state, session.updated and clock.changed; returns the unsubscribe function. */
export function listenSession(): () => void {
  const offs = [
    on(EVENTS.syncState, (sync) => sessionStore.set((s) => ({ ...s, sync: { ...sync, pending: s.pending } }))),
    on(EVENTS.sessionUpdated, applyStatus),
    on(EVENTS.clockChanged, (c) => setClockOffset(c.offset_ms)),
  ];
  return () => offs.forEach((off) => off());
}

/** Records the outbox's pending count (outbox.updated). */
export function setPending(n: number): void {
  sessionStore.set((s) => (s.pending === n ? s : { ...s, pending: n, sync: { ...s.sync, pending: n } }));
}
