"""What follows a send and what is left of it: the "Skickat" list (``sent_list``), a wrong
file to its deviation report (``wrong_file``), the originals offered for deletion
(``originals``) and the "Lagring" report of what this computer still keeps
(``storage_report``, docs/requirements.md R8, R11)."""
