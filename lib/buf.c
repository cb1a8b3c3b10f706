/* placeholder: filled by the lib work (issue 2) */
