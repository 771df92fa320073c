import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import * as z from 'zod';

/**
 * A transactional email type: a name for reports, and a subject, a plain-text part and an HTML
 * part rendered from the same typed props. The HTML is Preact, so every value is escaped; the
 * text part is the one every client can read, so it must say everything the HTML says.
 */
export interface EmailTemplate<Props> {
  /** Stable, kebab-case: stored on each outbox row to say what kind of email it is. */
  name: string;
  subject(props: Props): string;
  text(props: Props): string;
  html(props: Props): VNode;
}

export function emailTemplate<Props>(template: EmailTemplate<Props>): EmailTemplate<Props> {
  return template;
}

/** A message ready for the outbox: who it goes to and what it says, both parts rendered. */
export interface RenderedEmail {
  template: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Recipients {
  to: string | string[];
  cc?: string | string[];
}

/** One header line: a subject with a line break in it could smuggle in headers of its own. */
const subjectSchema = z
  .string()
  .trim()
  .min(1, 'an email needs a subject')
  .max(250)
  .refine((subject) => !/[\r\n]/.test(subject), 'a subject is one line');

export function renderEmail<Props>(
  template: EmailTemplate<Props>,
  props: Props,
  recipients: Recipients,
): RenderedEmail {
  return {
    template: template.name,
    to: toList(recipients.to),
    cc: toList(recipients.cc),
    subject: subjectSchema.parse(template.subject(props)),
    text: template.text(props),
    html: `<!doctype html>${renderToString(template.html(props))}`,
  };
}

function toList(addresses: string | string[] | undefined): string[] {
  if (addresses === undefined) return [];
  return typeof addresses === 'string' ? [addresses] : addresses;
}

/**
 * The frame every HTML email shares. Email clients ignore style sheets and strip most CSS, so
 * the little styling there is sits inline, and the layout is one readable column.
 */
export function EmailLayout({
  title,
  serviceName,
  children,
}: {
  title: string;
  serviceName: string;
  children: ComponentChildren;
}) {
  return (
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body style="margin:0;padding:0;font-family:Arial,sans-serif;color:#171717;line-height:1.5">
        <div style="max-width:40rem;margin:0 auto;padding:1rem">
          <p style="margin:0 0 1rem;padding-bottom:0.5rem;border-bottom:4px solid #0061b0;font-weight:bold">
            {serviceName}
          </p>
          {children}
        </div>
      </body>
    </html>
  );
}
