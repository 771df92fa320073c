/** A CRSid, the University's identifier for a person: a letter, then letters and digits, at most ten in all (lower case). */
export const CRSID = /^[a-z][a-z0-9]{1,9}$/;
