import { type NoticeEmailProps, noticeEmail } from '../../platform/mail/notice-email.tsx';

/** To a person given a place on a licence or storage project: what they now are, and a link to it. */
export interface MemberEmailProps extends NoticeEmailProps {
  url: string;
}

export const memberEmail = noticeEmail<MemberEmailProps>('licence-member', (props) => [
  { url: props.url, textLabel: 'See it', htmlLabel: 'See it' },
]);
