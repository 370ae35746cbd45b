import { useEffect, useState } from 'react';
import { formatBytes, type MediaContent } from '../../lib/content';
import { go, hasBridge } from '../../lib/go';
import type { MediaFile, OutboxAttachment } from '../../lib/types';
import { Icon, type IconName } from '../Icon';
import { openExternal, RichText } from './RichText';
import styles from './Chat.module.css';

// Downloaded media by id, shared by every bubble: a virtualised row that
// scrolls out and back in does not download its picture again.
const cache = new Map<string, Promise<Loaded>>();

/** Media the page can load: a link, or what Go's Media answered. */
type Loaded = Pick<MediaFile, 'url' | 'mime_type' | 'filename'>;

function fetchMedia(id: string, c: MediaContent): Promise<Loaded> {
  let p = cache.get(id);
  if (!p) {
    p = go.Media(id).then((f) => ({ url: f.url, mime_type: f.mime_type || c.mime_type || '', filename: f.filename || c.filename || '' }));
    cache.set(id, p);
    p.catch(() => cache.delete(id));
  }
  return p;
}

type MediaState = { status: 'loading' } | { status: 'ready'; file: Loaded } | { status: 'error'; message: string };

/** Resolves a media object to a URL the page can load: its link, or Go's download by id. */
export function useMedia(c: MediaContent): [MediaState, () => void] {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<MediaState>(() =>
    c.link ? { status: 'ready', file: { url: c.link, mime_type: c.mime_type ?? '', filename: c.filename ?? '' } } : { status: 'loading' },
  );
  useEffect(() => {
    if (c.link) {
      setState({ status: 'ready', file: { url: c.link, mime_type: c.mime_type ?? '', filename: c.filename ?? '' } });
      return;
    }
    if (!c.id) {
      setState({ status: 'error', message: 'No media attached' });
      return;
    }
    let live = true;
    setState({ status: 'loading' });
    fetchMedia(c.id, c).then(
      (file) => live && setState({ status: 'ready', file }),
      (err: { message?: string }) => live && setState({ status: 'error', message: err?.message || 'Media unavailable' }),
    );
    return () => {
      live = false;
    };
  }, [c.id, c.link, c.mime_type, c.filename, attempt]);
  return [state, () => setAttempt((n) => n + 1)];
}

function Placeholder({ icon, state, onRetry, label }: { icon: 'image' | 'video' | 'sticker'; state: MediaState; onRetry: () => void; label: string }) {
  return (
    <div className={styles.mediaPlaceholder} aria-label={label}>
      <Icon name={icon} size={28} />
      {state.status === 'loading' && <span>Loading…</span>}
      {state.status === 'error' && (
        <>
          <span title={state.message}>Media unavailable</span>
          <button type="button" className={styles.linkButton} onClick={onRetry}>
            Retry
          </button>
        </>
      )}
    </div>
  );
}

function Caption({ text }: { text?: string }) {
  return text ? (
    <div className={styles.caption}>
      <RichText text={text} />
    </div>
  ) : null;
}

export function ImageMessage({ c, onOpen }: { c: MediaContent; onOpen?: (url: string) => void }) {
  const [state, retry] = useMedia(c);
  return (
    <div className={styles.media}>
      {state.status === 'ready' ? (
        <button type="button" className={styles.imageButton} onClick={() => onOpen?.(state.file.url)} aria-label="Open photo">
          <img className={styles.image} src={state.file.url} alt={c.caption || 'Photo'} loading="lazy" />
        </button>
      ) : (
        <Placeholder icon="image" state={state} onRetry={retry} label="Photo" />
      )}
      <Caption text={c.caption} />
    </div>
  );
}

export function StickerMessage({ c }: { c: MediaContent }) {
  const [state, retry] = useMedia(c);
  return state.status === 'ready' ? (
    <img className={styles.sticker} src={state.file.url} alt={c.animated ? 'Animated sticker' : 'Sticker'} />
  ) : (
    <Placeholder icon="sticker" state={state} onRetry={retry} label="Sticker" />
  );
}

export function VideoMessage({ c }: { c: MediaContent }) {
  const [state, retry] = useMedia(c);
  return (
    <div className={styles.media}>
      {state.status === 'ready' ? (
        <video className={styles.video} src={state.file.url} controls preload="metadata" aria-label="Video" />
      ) : (
        <Placeholder icon="video" state={state} onRetry={retry} label="Video" />
      )}
      <Caption text={c.caption} />
    </div>
  );
}

export function AudioMessage({ c }: { c: MediaContent }) {
  const [state, retry] = useMedia(c);
  const voice = c.voice || /ogg.*opus/i.test(c.mime_type ?? '');
  return (
    <div className={styles.audio}>
      <span className={voice ? styles.voiceIcon : styles.audioIcon} title={voice ? 'Voice message' : 'Audio'}>
        <Icon name="mic" size={18} />
      </span>
      <div className={styles.audioBody}>
        <div className={styles.audioLabel}>{voice ? 'Voice message' : 'Audio'}</div>
        {state.status === 'ready' ? (
          <audio className={styles.audioPlayer} src={state.file.url} controls preload="metadata" aria-label={voice ? 'Voice message' : 'Audio'} />
        ) : state.status === 'loading' ? (
          <span className={styles.muted}>Loading…</span>
        ) : (
          <span className={styles.muted}>
            Audio unavailable{' '}
            <button type="button" className={styles.linkButton} onClick={retry}>
              Retry
            </button>
          </span>
        )}
      </div>
    </div>
  );
}

function extension(filename: string, mime: string): string {
  const ext = filename.includes('.') ? filename.split('.').pop() : mime.split('/').pop();
  return (ext ?? 'file').slice(0, 5).toUpperCase();
}

export function DocumentMessage({ c }: { c: MediaContent }) {
  const [state, retry] = useMedia(c);
  const filename = c.filename || (state.status === 'ready' ? state.file.filename : '') || 'Document';
  const mime = c.mime_type || (state.status === 'ready' ? state.file.mime_type : '');
  const [saved, setSaved] = useState('');
  const save = (e: React.MouseEvent<HTMLAnchorElement>) => {
    // Go saves into Downloads when it can (WebKit ignores <a download> in
    // the app window); otherwise a hub address opens in the system browser,
    // since navigating the console's own webview would replace the console.
    if (c.id && hasBridge()) {
      e.preventDefault();
      go.SaveMedia(c.id, filename).then(
        (path) => setSaved(`Saved to ${path}`),
        (err: { message?: string }) => setSaved(err?.message ?? 'Could not save the file'),
      );
      return;
    }
    const href = e.currentTarget.href;
    if (!/^(data|blob):/.test(href)) {
      e.preventDefault();
      openExternal(href);
    }
  };
  return (
    <div className={styles.media}>
      <div className={styles.document}>
        <span className={styles.docIcon}>
          <Icon name="file" size={22} />
          <span className={styles.docExt}>{extension(filename, mime)}</span>
        </span>
        <div className={styles.docInfo}>
          <div className={styles.docName} dir="auto" title={filename}>
            {filename}
          </div>
          <div className={styles.muted}>{mime || 'file'}</div>
        </div>
        {state.status === 'ready' ? (
          <a className={styles.docDownload} href={state.file.url} download={filename} onClick={save} aria-label={`Download ${filename}`}>
            <Icon name="download" size={20} />
          </a>
        ) : state.status === 'error' ? (
          <button type="button" className={styles.docDownload} onClick={retry} aria-label="Retry download" title={state.message}>
            <Icon name="refresh" size={18} />
          </button>
        ) : (
          <span className={styles.docDownload} aria-hidden="true">
            <Icon name="clock" size={18} />
          </span>
        )}
      </div>
      {saved && (
        <div className={styles.muted} role="status">
          {saved}
        </div>
      )}
      <Caption text={c.caption} />
    </div>
  );
}

const KIND_ICON: Record<string, IconName> = { image: 'image', video: 'video', audio: 'mic', sticker: 'sticker' };
const KIND_LABEL: Record<string, string> = { image: 'Photo', video: 'Video', audio: 'Audio', sticker: 'Sticker', document: 'Document' };

/**
 * A file the agent picked that has not reached the hub yet: nothing can be
 * downloaded, so it shows what was picked (name, kind, size) and its caption.
 */
export function PendingFile({ kind, file, caption }: { kind: string; file: OutboxAttachment; caption?: string }) {
  const label = KIND_LABEL[kind] ?? 'File';
  return (
    <div className={styles.media} data-testid="pending-file" data-kind={kind}>
      <div className={styles.document}>
        <span className={styles.docIcon} role="img" aria-label={label}>
          <Icon name={KIND_ICON[kind] ?? 'file'} size={22} />
          <span className={styles.docExt}>{extension(file.filename, file.mime_type)}</span>
        </span>
        <div className={styles.docInfo}>
          <div className={styles.docName} dir="auto" title={file.filename}>
            {file.filename || label}
          </div>
          <div className={styles.muted}>
            {label} · {formatBytes(file.size)}
          </div>
        </div>
      </div>
      <Caption text={caption} />
    </div>
  );
}
