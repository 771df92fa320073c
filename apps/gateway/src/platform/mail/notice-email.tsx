import { EmailLayout, type EmailTemplate, emailTemplate } from './email-template.tsx';

/** What every notice says: what happened, what it means, its links, what to do, and whom to ask. */
export interface NoticeEmailProps {
  serviceName: string;
  contactEmail: string;
  headline: string;
  /** "Hello," unless given. */
  greeting?: string;
  paragraphs: string[];
  /** After the links: what to do. */
  closing?: string[];
}

/**
 * A link: its line in the text part ("<textLabel>: <url>"; a label that ends a sentence, or ends in
 * a colon, is followed by the URL alone: "…has left the University. <url>") and the words of the
 * HTML link.
 */
export interface NoticeLink {
  url: string;
  textLabel: string;
  htmlLabel: string;
}

/**
 * "See it: <url>"; a label ending in punctuation of its own ("…the University.", "Here:") takes no
 * colon. (The ellipsis is escaped: esbuild leaves a regex's characters as written, and the bundle
 * stays Latin-1, production-bundle.test.ts.)
 */
function linkLine(link: NoticeLink): string {
  return /[.!?:;\u2026]$/.test(link.textLabel) ? `${link.textLabel} ${link.url}` : `${link.textLabel}: ${link.url}`;
}

/**
 * One email shape for every notice (orders, licences and their members, the nightly jobs): the
 * headline as subject and heading, the greeting and paragraphs, the links (one as a paragraph,
 * several as a list), the closing paragraphs and the contact address, the same in text and HTML.
 */
export function noticeEmail<Props extends NoticeEmailProps>(
  name: string,
  linksOf: (props: Props) => NoticeLink[],
  options: { list?: boolean } = {},
): EmailTemplate<Props> {
  const paragraphsText = (paragraphs: string[] = []) => paragraphs.flatMap((paragraph) => [paragraph, '']);
  const paragraphsHtml = (paragraphs: string[] = []) =>
    paragraphs.map((paragraph) => <p key={paragraph}>{paragraph}</p>);
  return emailTemplate<Props>({
    name,
    subject: (props) => props.headline,
    text: (props) =>
      [
        props.greeting ?? 'Hello,',
        '',
        ...paragraphsText(props.paragraphs),
        ...linksOf(props).map((link) => `${options.list ? '- ' : ''}${linkLine(link)}`),
        '',
        ...paragraphsText(props.closing),
        `Questions: ${props.contactEmail}`,
        '',
        props.serviceName,
      ].join('\n'),
    html: (props) => {
      const links = linksOf(props).map((link) => (
        <a key={link.url} href={link.url}>
          {link.htmlLabel}
        </a>
      ));
      return (
        <EmailLayout title={props.headline} serviceName={props.serviceName}>
          <h1 style="font-size:1.4rem">{props.headline}</h1>
          <p>{props.greeting ?? 'Hello,'}</p>
          {paragraphsHtml(props.paragraphs)}
          {options.list ? (
            <ul>
              {links.map((link) => (
                <li key={link.key}>{link}</li>
              ))}
            </ul>
          ) : (
            links.map((link) => <p key={link.key}>{link}</p>)
          )}
          {paragraphsHtml(props.closing)}
          <p>
            Questions: <a href={`mailto:${props.contactEmail}`}>{props.contactEmail}</a>
          </p>
        </EmailLayout>
      );
    },
  });
}
