/* placeholder: filled by the client work (issue 4) */
