import { EmailLayout, emailTemplate } from '../../platform/mail/email-template.tsx';

export interface StorageStepLink {
  line: string;
  url: string;
}

/** One step's list in a team's email: "2 licences to make read-only", what to do, the licences. */
export interface StorageStepSection {
  heading: string;
  todo: string;
  licences: StorageStepLink[];
  /** "And 12 more: …", when the list was cut short. */
  more?: string;
}

export interface StorageStepsEmailProps {
  serviceName: string;
  contactEmail: string;
  headline: string;
  greeting: string;
  intro: string;
  sections: StorageStepSection[];
  closing: string;
}

/**
 * The manual provisioner's nightly email to a service team: every storage step of the run, a
 * list under a heading per step. The text and HTML parts say the same thing.
 */
export const storageStepsEmail = emailTemplate<StorageStepsEmailProps>({
  name: 'storage-steps',
  subject: (props) => props.headline,
  text: (props) =>
    [
      props.greeting,
      '',
      props.intro,
      '',
      ...props.sections.flatMap((section) => [
        `${section.heading}: ${section.todo}`,
        ...section.licences.map((licence) => `- ${licence.line}: ${licence.url}`),
        ...(section.more ? [section.more] : []),
        '',
      ]),
      props.closing,
      '',
      `Questions: ${props.contactEmail}`,
      '',
      props.serviceName,
    ].join('\n'),
  html: (props) => (
    <EmailLayout title={props.headline} serviceName={props.serviceName}>
      <h1 style="font-size:1.4rem">{props.headline}</h1>
      <p>{props.greeting}</p>
      <p>{props.intro}</p>
      {props.sections.map((section) => (
        <div key={section.heading}>
          <h2 style="font-size:1.2rem">{section.heading}</h2>
          <p>These licences {section.todo}:</p>
          <ul>
            {section.licences.map((licence) => (
              <li key={licence.url}>
                <a href={licence.url}>{licence.line}</a>
              </li>
            ))}
          </ul>
          {section.more ? <p>{section.more}</p> : null}
        </div>
      ))}
      <p>{props.closing}</p>
      <p>
        Questions: <a href={`mailto:${props.contactEmail}`}>{props.contactEmail}</a>
      </p>
    </EmailLayout>
  ),
});
