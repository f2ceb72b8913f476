export const asNodeId = (s) => s;
export const asUserId = (s) => s;
export const asPoolId = (s) => s;
export const asFileId = (s) => s;
export const asMessageId = (s) => s;
