import type { MouseEvent, ReactNode } from 'react';
import { tokenize } from '../../lib/text';

/**
 * Opens a link in the system browser: inside the Wails window a plain
 * navigation would replace the console itself.
 */
export function openExternal(href: string): void {
  const rt = (window as { runtime?: { BrowserOpenURL?: (u: string) => void } }).runtime;
  if (typeof rt?.BrowserOpenURL === 'function') rt.BrowserOpenURL(href);
  else window.open(href, '_blank', 'noopener,noreferrer');
}

export function onExternalClick(e: MouseEvent<HTMLAnchorElement>): void {
  e.preventDefault();
  openExternal(e.currentTarget.href);
}

/** An http(s) link that opens outside the app. */
export function ExternalLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className={className} onClick={onExternalClick}>
      {children}
    </a>
  );
}

/**
 * Customer (or agent) text as inert React elements: links and WhatsApp
 * formatting become elements, everything else stays a text node. dir="auto"
 * lets Arabic or Hebrew text run right to left in its own paragraph.
 */
export function RichText({ text, className, block = false, trail }: { text: string; className?: string; block?: boolean; trail?: ReactNode }) {
  const Tag = block ? 'div' : 'span';
  return (
    <Tag className={className} dir="auto">
      {tokenize(text).map((t, i) => {
        switch (t.kind) {
          case 'link':
            return (
              <ExternalLink key={i} href={t.href}>
                {t.text}
              </ExternalLink>
            );
          case 'bold':
            return <strong key={i}>{t.text}</strong>;
          case 'italic':
            return <em key={i}>{t.text}</em>;
          case 'strike':
            return <s key={i}>{t.text}</s>;
          case 'mono':
            return <code key={i}>{t.text}</code>;
          default:
            return <span key={i}>{t.text}</span>;
        }
      })}
      {trail}
    </Tag>
  );
}
