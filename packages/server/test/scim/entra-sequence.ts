// Microsoft Entra ID's provisioning requests, in the order and the shape its documentation shows them
// ("Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID", the user and
// group operations of its request sequence; and its "Known issues" page for the older PATCH forms).
import { q, type ReplayStep } from './replay.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const ENTRA_USER_SEQUENCE: readonly ReplayStep[] = [
  {
    name: 'Get User by query (before create): zero results',
    method: 'GET',
    path: `/Users?filter=${q('userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"')}`,
    status: 200,
    response: { totalResults: 0, Resources: [] },
  },
  {
    name: 'Create User',
    method: 'POST',
    path: '/Users',
    body: {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      emails: [
        { primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' },
      ],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    },
    status: 201,
    response: {
      schemas: [USER],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      meta: { resourceType: 'User' },
    },
    save: { user: 'id' },
    user: { id: 'user', status: 'active', role: 'Agent' },
  },
  {
    name: 'Create User again: uniqueness',
    method: 'POST',
    path: '/Users',
    body: { schemas: [USER], userName: 'test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1', active: true },
    status: 409,
    response: { status: '409', scimType: 'uniqueness' },
  },
  {
    name: 'Get User',
    method: 'GET',
    path: '/Users/{{user}}',
    status: 200,
    response: { id: '{{user}}', userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1' },
  },
  {
    name: 'Get User by query',
    method: 'GET',
    path: `/Users?filter=${q('userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"')}`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{user}}' }] },
  },
  {
    name: 'Get User by query: zero results',
    method: 'GET',
    path: `/Users?filter=${q('userName eq "non-existent user"')}`,
    status: 200,
    response: { totalResults: 0, Resources: [] },
  },
  {
    name: 'Get User by externalId',
    method: 'GET',
    path: `/Users?filter=${q('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{user}}' }] },
  },
  {
    name: 'Update User [Multi-valued properties]',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    },
    status: 200,
    response: {
      emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }],
      name: { familyName: 'updatedFamilyName', givenName: 'givenName' },
    },
  },
  {
    name: 'Get User by e-mail (after the update)',
    method: 'GET',
    path: `/Users?filter=${q('emails.value eq "updatedemail@microsoft.com"')}`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{user}}' }] },
  },
  {
    name: 'Update User [Single-valued properties]',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' },
      ],
    },
    status: 200,
    response: { userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' },
  },
  {
    name: 'Update User [enterprise extension]: manager and department',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: '{{user}}' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
      ],
    },
    status: 200,
    response: { schemas: [USER, ENTERPRISE], [ENTERPRISE]: { manager: '{{user}}', department: 'Sales' } },
  },
  {
    name: 'Update User [older form]: no path, attributes in the value, "False" as a string',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', value: { displayName: 'Updated Name', 'name.givenName': 'updatedGiven' } },
      ],
    },
    status: 200,
    response: { displayName: 'Updated Name', name: { givenName: 'updatedGiven' }, active: true },
  },
  {
    name: 'Disable User',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH] },
    status: 200,
    response: { active: false },
    user: { id: 'user', status: 'inactive' },
  },
  {
    name: 'Enable User [older form]: "True" as a string',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] },
    status: 200,
    response: { active: true },
    user: { id: 'user', status: 'active' },
  },
  {
    name: 'Disable User [older form]',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Replace', value: { active: 'False' } }] },
    status: 200,
    response: { active: false },
    user: { id: 'user', status: 'inactive' },
  },
  { name: 'Delete User', method: 'DELETE', path: '/Users/{{user}}', status: 204 },
  {
    name: 'Get User (deleted)',
    method: 'GET',
    path: '/Users/{{user}}',
    status: 404,
    response: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' },
  },
];

export const ENTRA_GROUP_SEQUENCE: readonly ReplayStep[] = [
  {
    name: '(a user to be a member)',
    method: 'POST',
    path: '/Users',
    body: { schemas: [USER], userName: 'member@testuser.com', active: true },
    status: 201,
    save: { member: 'id' },
  },
  {
    name: 'Create Group',
    method: 'POST',
    path: '/Groups',
    body: {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    },
    status: 201,
    response: {
      schemas: [GROUP],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      members: [],
      meta: { resourceType: 'Group' },
    },
    save: { group: 'id' },
  },
  {
    name: 'Get Group',
    method: 'GET',
    path: '/Groups/{{group}}?excludedAttributes=members',
    status: 200,
    response: { id: '{{group}}', displayName: 'displayName' },
  },
  {
    name: 'Get Group by displayName',
    method: 'GET',
    path: `/Groups?excludedAttributes=members&filter=${q('displayName eq "displayName"')}`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{group}}', displayName: 'displayName' }] },
  },
  {
    name: 'Update Group [Non-member attributes]',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        {
          op: 'Replace',
          path: 'displayName',
          value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
        },
      ],
    },
    status: 200,
    response: { displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' },
  },
  {
    name: 'Update Group [Add Members]',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: '{{member}}' }] }],
    },
    status: 200,
    response: { members: [{ value: '{{member}}' }] },
  },
  {
    name: 'Get Group by membership (Entra checks one member this way)',
    method: 'GET',
    path: `/Groups?excludedAttributes=members&filter=${q('id eq "{{group}}" and members.value eq "{{member}}"')}`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{group}}' }] },
  },
  {
    name: 'Update Group [Remove Members]',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: '{{member}}' }] }],
    },
    status: 200,
    response: { members: [] },
  },
  {
    name: 'Rename the group to a role: its members get the role',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Administrator' },
        { op: 'Add', path: 'members', value: [{ value: '{{member}}' }] },
      ],
    },
    status: 200,
    user: { id: 'member', role: 'Administrator' },
  },
  {
    name: 'Delete Group',
    method: 'DELETE',
    path: '/Groups/{{group}}',
    status: 204,
    user: { id: 'member', role: 'Agent' },
  },
  { name: 'Get Group (deleted)', method: 'GET', path: '/Groups/{{group}}', status: 404 },
];
