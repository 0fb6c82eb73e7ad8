# hosting messages (English). IDs: hosting-<topic>-<detail>.

## operator/core/src/hosting.rs
hosting-reviewed-request-breaks-rules = not reviewed: the request breaks the rules
hosting-rejected-fix-findings = rejected by { $ids }; fix the findings
hosting-agency-owning-namespace-registered = agency { $code } owning the namespace is not registered yet
hosting-waiting-agency = waiting for the agency
hosting-denying-finding-warning-s = no denying finding ({ $warnings } warning(s))
hosting-refused-platform-team = refused by the platform team in { $name }: { $comment }
hosting-refused-approval = refused in approval { $name }
hosting-approval-reviewed-generation-spec = approval { $name } reviewed generation { $target_generation }, the spec is now at generation { $generation }; a new approval is needed
hosting-approval-expired = approval { $name } has expired
hosting-waiting-platform-team-s = waiting for the platform team's Approval of generation { $generation }
hosting-awaiting-approval = awaiting approval
hosting-approved-generation = approved in { $name } for generation { $generation }
hosting-placed = placed at { $placement_summary }
hosting-approved-placed-yet = approved, not placed yet
hosting-namespace-one-agency-s = namespace { $namespace } is not one of agency { $code }'s (WEB-DC)
hosting-namespace-does-exist-yet = namespace { $namespace } does not exist yet (CLOUD-CITY)
hosting-does-fit-agency-s = does not fit in agency { $code }'s quota in namespace { $namespace } (CLOUD-CITY): { $over }
hosting-web-hosting-namespace = web hosting in namespace { $namespace }{ $extra }
hosting-placement-computed-yet = placement not computed yet
hosting-sec-register-address-es = SEC-REGISTER: { $needed } address(es) needed at site { $site }, only { $free } free in its pools
